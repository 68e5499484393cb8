#include "lbctl/errors.h"

#include <array>
#include <cerrno>
#include <cstring>

namespace ipvsd::lbctl {

namespace {

struct Entry {
    std::string_view operation;  // "" matches every operation
    int errnum;
    std::string_view message;
};

// Operation-specific rows first: the first match wins. The texts are ipvsadm's (observed with 1.31 on the
// 6.1 kernel); the kernel's errnos per operation are in ipvs/ops.h and test/ipvs_vm/errno_cases.h.
constexpr std::array kTable{
    Entry{"add service", EEXIST, "Service already exists"},
    Entry{"add service", ENOENT, "Scheduler or persistence engine not found"},
    Entry{"edit service", ESRCH, "No such service"},
    Entry{"edit service", ENOENT, "Scheduler or persistence engine not found"},
    Entry{"delete service", ESRCH, "No such service"},
    Entry{"zero counters", ESRCH, "No such service"},
    Entry{"get service", ESRCH, "No such service"},
    Entry{"add destination", ESRCH, "Service not defined"},
    Entry{"add destination", EEXIST, "Destination already exists"},
    Entry{"edit destination", ESRCH, "Service not defined"},
    Entry{"edit destination", ENOENT, "No such destination"},
    Entry{"delete destination", ESRCH, "Service not defined"},
    Entry{"delete destination", ENOENT, "No such destination"},
    Entry{"start sync daemon", EEXIST, "Daemon has already run"},
    Entry{"stop sync daemon", ESRCH, "No daemon is running"},
    Entry{"", EPERM, "Permission denied (you must be root)"},
    Entry{"", EINVAL, "Invalid operation.  Possibly wrong module version, address not unicast, ..."},
    Entry{"", ENOPROTOOPT, "Protocol not available"},
    Entry{"", ENOMEM, "Memory allocation problem"},
    Entry{"", EOPNOTSUPP, "Operation not supported with IPv6"},
    Entry{"", EAFNOSUPPORT, "Operation not supported with specified address family"},
    Entry{"", EMSGSIZE, "Module is wrong version"},
};

}  // namespace

std::string kernelErrorMessage(std::string_view operation, int errnum) {
    for (const Entry& e : kTable) {
        if (e.errnum == errnum && (e.operation.empty() || e.operation == operation)) {
            return std::string{e.message};
        }
    }
    return std::strerror(errnum);
}

}  // namespace ipvsd::lbctl
