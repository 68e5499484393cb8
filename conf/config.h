// The immutable, typed result of parsing keepalived.conf, and the entry points that produce it.
#pragma once

#include "conf/diagnostics.h"
#include "conf/model/bfd.h"
#include "conf/model/global.h"
#include "conf/model/lvs.h"
#include "conf/model/vrrp.h"

#include <cstdint>
#include <functional>
#include <string_view>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::conf {

struct Config {
    std::vector<std::string> files;  // Location::fileIndex indexes this
    GlobalConfig global;
    VrrpConfig vrrp;
    LvsConfig lvs;
    BfdConfig bfd;
};

// The SIOCGIFFLAGS bits keepalived -t looks at for a VRRP instance's interface.
struct InterfaceFlags {
    bool loopback = false;   // IFF_LOOPBACK: refused for VRRP
    bool multicast = false;  // IFF_MULTICAST: needed unless the instance has unicast peers
};

struct ParseOptions {
    std::string configId;                       // -i: selects @id conditional lines
    std::optional<std::uint32_t> randomSeed;    // ${_RANDOM}; nullopt seeds from the clock
    // keepalived -t checks that named interfaces exist on this host. Injected so tests decide; when
    // empty, every interface is taken to exist. The daemon passes an if_nametoindex() lookup.
    std::function<bool(std::string_view)> interfaceExists;
    // An existing interface's flags; nullopt when it cannot be read. When empty, `lo` is the only
    // loopback interface and every interface supports multicast.
    std::function<std::optional<InterfaceFlags>(std::string_view)> interfaceFlags;
    // The other host lookups keepalived -t makes, injected the same way; an empty one answers "yes"
    // (exists, resolves, found) or "no limit".
    std::function<bool(std::string_view)> userExists;    // getpwnam(): script_user, a script's USER
    std::function<bool(std::string_view)> groupExists;   // getgrnam(): a script's GROUP
    std::function<bool(std::string_view)> hostResolves;  // getaddrinfo(): smtp_server NAME (queries DNS)
    std::function<bool(std::string_view)> scriptFound;   // a script exists (searched in PATH without a '/')
    std::function<bool(std::string_view)> netnsExists;   // /run/netns/NAME exists: net_namespace NAME
    std::function<unsigned()> onlineCpus;                 // sysconf(_SC_NPROCESSORS_ONLN): *_cpu_affinity
    // A name in /etc/iproute2/FILE (rt_tables, rt_protos, rt_realms, ...): static_routes/static_rules.
    std::function<bool(std::string_view file, std::string_view name)> iprouteNameExists;
    // Text from an untrusted source (fuzzing, a control-socket request) must not pull in host files.
    bool includesAllowed = true;
};

struct ParseResult {
    Config config;
    Diagnostics diagnostics;
    // keepalived -t exits 0 whatever it found when net_namespace names a namespace that does not exist
    // (it stops after reading the global configuration); the verdict follows it.
    bool ok() const { return !diagnostics.hasErrors() || config.global.netNamespaceMissing; }
    // The daemon's verdict: it runs with adjusted errors (logged as warnings) and stops on any other error.
    bool daemonOk() const { return diagnostics.daemonErrorCount() == 0; }
};

// What the daemon (start and reload) does with a parse: it refuses the configuration on any `refusing`
// message and otherwise runs, logging each `adjusted` one (an Error for -t that keepalived's daemon logs and
// carries on with) as a warning. Both lists hold the -t text, "(file: Line N) message".
struct DaemonVerdict {
    std::vector<std::string> refusing;
    std::vector<std::string> adjusted;
    bool runs() const { return refusing.empty(); }
};
DaemonVerdict daemonVerdict(const ParseResult& parsed);

// Reads, binds and validates. Never throws for bad input: every problem is a located diagnostic.
ParseResult parseFile(const std::string& path, const ParseOptions& options);
ParseResult parseText(std::string text, const ParseOptions& options, std::string name = "<config>",
                      std::string baseDir = ".");

}  // namespace ipvsd::conf
