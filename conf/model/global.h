// global_defs and the other keywords of keepalived's "global configuration": the root-level daemon
// keywords, static_ipaddress / static_routes / static_rules, track_group and linkbeat_interfaces.
// Every optional field is "not written in the file": defaults are the daemon's business (keepalived 2.2.7's
// defaults are noted beside each field), so the dump writes back exactly what was configured.
#pragma once

#include "conf/address.h"
#include "conf/model/vrrp.h"  // VirtualAddress: static_ipaddress lines have virtual_ipaddress syntax
#include "conf/schema.h"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::conf {

// A script keepalived runs: `SCRIPT [USER [GROUP]]`, where SCRIPT is one word (quoted when it has
// arguments) split shell-like into the program and its arguments.
struct ScriptSpec {
    Location where;
    std::vector<std::string> command;
    std::optional<std::string> user;   // default: script_user, else keepalived_script, else root
    std::optional<std::string> group;  // default: the user's group
    // script_user as seen when this line was read (a later script_user does not change this script's
    // user). Bookkeeping for validation; not written back.
    bool scriptUserAtLine = false;
};

// keepalived resolves the default script user the first time a script or FIFO without USER is read:
// script_user if given, else keepalived_script if that user exists, else root - unless
// enable_script_security was read before, when the resolution fails (and is tried again next time).
struct DefaultUserRequest {
    Location where;
    bool securityAtLine = false;
    bool scriptUserAtLine = false;
};

// notify_fifo / vrrp_notify_fifo / lvs_notify_fifo: `PATH [USER [GROUP]]` (the FIFO's owner).
struct NotifyFifo {
    Location where;
    std::string path;
    std::optional<std::string> user;
    std::optional<std::string> group;
};

// lvs_timeouts [tcp S] [tcpfin S] [udp S]: IPVS connection timeouts; unset ones are left as they are.
struct LvsTimeouts {
    std::optional<std::uint32_t> tcpSeconds;
    std::optional<std::uint32_t> tcpFinSeconds;
    std::optional<std::uint32_t> udpSeconds;
};

// lvs_sync_daemon IFACE [[inst] VRRP_INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group IP]
struct LvsSyncDaemon {
    Location where;
    std::string interface;
    std::optional<std::string> instance;   // the sync daemon follows this instance's MASTER/BACKUP state
    std::optional<std::uint8_t> syncId;    // default: the instance's VRID, else 0
    std::optional<std::uint16_t> maxLen;   // [1, 65507]
    std::optional<std::uint16_t> port;     // default 8848
    std::optional<std::uint8_t> ttl;       // [1, 255]
    std::optional<IpAddress> group;        // multicast; default 224.0.0.81
};

enum class LvsFlushOnStop : std::uint8_t { Full, VirtualServers };  // lvs_flush_on_stop [VS]

// vrrp_garp_extra_if [all] SECONDS
struct GarpExtraIf {
    bool allInterfaces = false;
    std::uint32_t seconds = 0;  // [1, 86400]
};

struct GlobalDefs {
    // Identity and notification.
    std::optional<std::string> routerId;                    // default: host name
    std::optional<std::vector<std::string>> notificationEmail;
    std::optional<std::string> notificationEmailFrom;       // default keepalived@<host>
    std::optional<std::string> smtpServer;                  // an address or a host name, as written
    std::optional<std::uint16_t> smtpServerPort;            // default 25
    Location smtpServerWhere;
    std::optional<std::string> smtpHeloName;                // default: host name
    std::optional<std::uint64_t> smtpConnectTimeoutUs;      // whole seconds in [1, 4294]; default 30
    std::optional<bool> smtpAlert;
    std::optional<bool> smtpAlertVrrp;
    std::optional<bool> smtpAlertChecker;
    std::optional<bool> checkerLogAllFailures;
    bool noEmailFaults = false;

    // Scripts.
    std::optional<bool> scriptSecurity;                     // enable_script_security
    std::optional<std::string> scriptUser;                  // script_user USER [GROUP]
    std::optional<std::string> scriptGroup;
    Location scriptUserWhere;
    std::optional<ScriptSpec> startupScript;
    std::optional<std::uint64_t> startupScriptTimeoutUs;    // whole seconds in [1, 1000]; default 10
    std::optional<ScriptSpec> shutdownScript;
    std::optional<std::uint64_t> shutdownScriptTimeoutUs;

    // Notify FIFOs.
    std::optional<NotifyFifo> notifyFifo;
    std::optional<ScriptSpec> notifyFifoScript;
    std::optional<NotifyFifo> vrrpNotifyFifo;
    std::optional<ScriptSpec> vrrpNotifyFifoScript;
    std::optional<NotifyFifo> lvsNotifyFifo;
    std::optional<ScriptSpec> lvsNotifyFifoScript;
    std::optional<bool> vrrpNotifyPriorityChanges;
    bool fifoWriteVrrpStatesOnReload = false;

    // IPVS.
    LvsTimeouts lvsTimeouts;
    std::optional<LvsSyncDaemon> lvsSyncDaemon;
    bool lvsFlush = false;                                  // flush IPVS at startup
    std::optional<LvsFlushOnStop> lvsFlushOnStop;
    std::optional<bool> rsInitNotifies;
    std::optional<bool> noCheckerEmails;

    // VRRP defaults for every instance.
    std::optional<IpAddress> vrrpMcastGroup4;               // default 224.0.0.18
    std::optional<IpAddress> vrrpMcastGroup6;               // default ff02::12
    std::optional<std::uint64_t> vrrpGarpMasterDelayUs;     // whole seconds; default 5
    std::optional<std::uint32_t> vrrpGarpMasterRepeat;      // default 5
    std::optional<std::uint64_t> vrrpGarpMasterRefreshUs;   // whole seconds; default 0 (none)
    std::optional<std::uint32_t> vrrpGarpMasterRefreshRepeat;  // default 1
    std::optional<std::uint64_t> vrrpGarpLowerPrioDelayUs;  // whole seconds; default: master delay
    std::optional<std::uint32_t> vrrpGarpLowerPrioRepeat;   // default: master repeat
    std::optional<std::uint64_t> vrrpGarpIntervalUs;        // between gratuitous ARPs; default 0
    std::optional<std::uint64_t> vrrpGnaIntervalUs;         // between unsolicited NAs; default 0
    std::optional<bool> vrrpMinGarp;
    std::optional<GarpExtraIf> vrrpGarpExtraIf;
    std::optional<std::uint32_t> vrrpDownTimerAdverts;      // [1, 100]
    std::optional<bool> vrrpLowerPrioNoAdvert;
    std::optional<bool> vrrpHigherPrioSendAdvert;
    std::optional<std::uint8_t> vrrpVersion;                // 2 or 3; default 2
    bool vrrpCheckUnicastSrc = false;
    bool vrrpSkipCheckAdvAddr = false;
    std::optional<bool> vrrpStrict;                         // vrrp_strict (a flag: set means true)
    std::optional<std::uint64_t> vrrpStartupDelayUs;
    bool logUnknownVrids = false;
    std::optional<std::string> defaultInterface;            // for static addresses; default eth0
    bool dynamicInterfaces = false;
    bool dynamicInterfacesAllowChanges = false;             // dynamic_interfaces allow_if_changes
    bool disableLocalIgmp = false;
    std::optional<std::string> vmacPrefix;                  // default "vrrp"
    std::optional<std::string> vmacAddrPrefix;

    // Bookkeeping for validation (not written back): each notification_email block and whether it had
    // an address (keepalived reports an empty one); the default script user resolutions, in file order.
    std::vector<std::pair<Location, bool>> notificationEmailBlocks;
    std::vector<DefaultUserRequest> defaultUserRequests;

    std::vector<RawStatement> extras;  // keywords ipvsd does not act on yet, kept as written
};

// static_ipaddress line: virtual_ipaddress syntax plus `track_group NAME`.
struct StaticAddress {
    VirtualAddress address;
    std::optional<std::string> trackGroup;
};

// One hop of a multipath static route: `nexthop [via ADDR] [dev IF] [weight N] [onlink] ...`.
struct RouteNexthop {
    std::optional<IpAddress> via;
    std::optional<std::string> dev;
    std::optional<std::uint16_t> weight;  // [1, 256]
    bool onlink = false;
};

// static_routes line (ip-route(8) syntax, keepalived's subset). The typed fields are what applying the
// route needs; the whole line is kept in `words` and written back as it was given.
struct StaticRoute {
    Location where;
    std::vector<std::string> words;
    IpAddress::Family family = IpAddress::Family::V4;
    std::optional<std::uint8_t> type;             // RTN_* (unicast 1, blackhole 6, ...); default unicast
    IpPrefix destination;                         // `default` is the zero prefix
    std::optional<IpAddress> via;
    std::optional<IpAddress> preferredSource;     // src
    std::optional<IpPrefix> source;               // from (IPv6 only)
    std::optional<std::string> dev;
    std::optional<std::uint32_t> table;           // default main (254); unset when given by a name
    std::optional<std::uint32_t> metric;
    std::optional<std::uint8_t> protocol;
    std::optional<std::uint8_t> scope;
    std::optional<std::uint8_t> tos;
    bool onlink = false;
    bool noTrack = false;
    std::optional<std::string> trackGroup;
    std::vector<RouteNexthop> nexthops;
    // Names (table/protocol/realms) keepalived looks up in /etc/iproute2/<file>: checked in validation.
    std::vector<std::pair<std::string, std::string>> iprouteNames;  // (file, name)
};

enum class RuleAction : std::uint8_t { Table, Goto, Nop, Blackhole, Unreachable, Prohibit };

// static_rules line (ip-rule(8) syntax, keepalived's subset), kept as written in `words`.
struct StaticRule {
    Location where;
    std::vector<std::string> words;
    IpAddress::Family family = IpAddress::Family::V4;
    std::optional<IpPrefix> from;
    std::optional<IpPrefix> to;
    bool invert = false;
    std::optional<std::uint32_t> preference;
    RuleAction action = RuleAction::Table;
    std::optional<std::uint32_t> table;           // Table action; unset when given by a name
    std::optional<std::uint32_t> gotoTarget;
    bool l3mdev = false;
    std::optional<std::uint8_t> tos;
    std::optional<std::uint32_t> fwmark;
    std::optional<std::uint32_t> fwmask;
    std::optional<std::string> iif;
    std::optional<std::string> oif;
    bool noTrack = false;
    std::optional<std::string> trackGroup;
    std::vector<std::pair<std::string, std::string>> iprouteNames;  // (file, name), as for routes
};

// track_group NAME { group { VI_1 ... } }: the vrrp instances that go to FAULT when a static address,
// route or rule naming the group is deleted and cannot be restored.
struct TrackGroup {
    Location where;
    std::string name;
    std::optional<std::vector<std::string>> instances;
};

// linkbeat_interfaces { IF [MII|ETHTOOL|IOCTL] }
struct LinkbeatInterface {
    Location where;
    std::string name;
    std::optional<std::string> pollType;
};

// Keywords that sit at the top level of keepalived.conf outside any block, and the static_* blocks.
struct GlobalConfig {
    GlobalDefs defs;
    std::vector<StaticAddress> staticAddresses;
    std::vector<StaticRoute> staticRoutes;
    std::vector<StaticRule> staticRules;
    std::deque<TrackGroup> trackGroups;
    std::vector<LinkbeatInterface> linkbeatInterfaces;
    // keepalived -t quirk: with `net_namespace NAME` naming a namespace that does not exist it stops after
    // reading the global configuration and exits 0 whatever it found. Set by validation.
    bool netNamespaceMissing = false;
    // Root keywords ipvsd does not act on yet (net_namespace, instance, use_pid_dir, child_wait_time...).
    std::vector<RawStatement> extras;
};

}  // namespace ipvsd::conf
