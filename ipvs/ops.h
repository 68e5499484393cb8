// The changes one can ask of the IPVS table, as values. A reconcile plan or an ipvsadm-style restore is a
// std::vector<IpvsOp>; IpvsPort::apply() sends it as one batch and reports an outcome per op. Each op is
// one IPVS generic-netlink "set" command (uapi <linux/ip_vs.h> IPVS_CMD_*), acknowledged on its own.
#pragma once

#include "ipvs/model.h"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ipvsd::ipvs {

struct AddService {  // IPVS_CMD_NEW_SERVICE: EEXIST if the key exists, ENOENT for an unknown scheduler/pe
    Service service;
    bool operator==(const AddService&) const = default;
};
struct EditService {  // IPVS_CMD_SET_SERVICE: every field replaced; ESRCH if missing
    Service service;
    bool operator==(const EditService&) const = default;
};
struct DelService {  // IPVS_CMD_DEL_SERVICE: its destinations go with it
    ServiceKey key;
    bool operator==(const DelService&) const = default;
};
struct AddDest {  // IPVS_CMD_NEW_DEST: ESRCH without the service, EEXIST for a duplicate
    ServiceKey service;
    Dest dest;
    bool operator==(const AddDest&) const = default;
};
struct EditDest {  // IPVS_CMD_SET_DEST: ENOENT without the destination
    ServiceKey service;
    Dest dest;
    bool operator==(const EditDest&) const = default;
};
struct DelDest {  // IPVS_CMD_DEL_DEST
    ServiceKey service;
    DestKey dest;
    bool operator==(const DelDest&) const = default;
};
struct ZeroCounters {  // IPVS_CMD_ZERO: one service's counters (and its destinations'), or all
    std::optional<ServiceKey> service;
    bool operator==(const ZeroCounters&) const = default;
};
struct Flush {  // IPVS_CMD_FLUSH: every service and destination (not timeouts, not sync daemons)
    bool operator==(const Flush&) const = default;
};
struct SetTimeouts {  // IPVS_CMD_SET_CONFIG: a 0 field leaves that timeout unchanged
    Timeouts timeouts;
    bool operator==(const SetTimeouts&) const = default;
};
struct StartDaemon {  // IPVS_CMD_NEW_DAEMON: EEXIST if that state's daemon runs, ENODEV for the interface
    SyncDaemon daemon;
    bool operator==(const StartDaemon&) const = default;
};
struct StopDaemon {  // IPVS_CMD_DEL_DAEMON
    SyncState state = SyncState::Master;
    bool operator==(const StopDaemon&) const = default;
};

using IpvsOp = std::variant<AddService, EditService, DelService, AddDest, EditDest, DelDest, ZeroCounters,
                            Flush, SetTimeouts, StartDaemon, StopDaemon>;

// The Error::operation an op's failure carries: "add service", "edit service", "delete service",
// "add destination", "edit destination", "delete destination", "zero counters", "flush",
// "set timeouts", "start sync daemon", "stop sync daemon". lbctl maps (operation, errno) to messages.
std::string_view operationName(const IpvsOp& op);

// What the op is about, for Error::detail and logs: "TCP 10.0.0.1:80", "TCP 10.0.0.1:80 -> 10.0.0.2:80".
std::string describe(const IpvsOp& op);

}  // namespace ipvsd::ipvs
