// The VRRP half of keepalived.conf: vrrp_instance, vrrp_script, vrrp_sync_group, vrrp_track_process,
// track_file and garp_group, typed for the VRRP engine (RFC 3768 for VRRPv2, RFC 5798 for VRRPv3, plus
// keepalived 2.2.7's extensions). Every optional field is "not written in the file": defaults are the
// engine's business (keepalived's defaults are noted beside each field), so the dump writes back exactly
// what was configured.
#pragma once

#include "conf/address.h"
#include "conf/model/script.h"
#include "conf/schema.h"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::conf {

// A reference from an instance or sync group to a tracked object: `NAME [weight N [reverse]]`.
// No weight means keepalived's default for the kind: 0 for scripts/processes/bfd/interfaces (state only;
// a failure is FAULT), the track_file block's own weight for files.
struct TrackRef {
    Location where;
    std::string name;
    std::optional<std::int32_t> weight;
    bool reverse = false;
};

// One line of virtual_ipaddress / virtual_ipaddress_excluded (ip-address(8) syntax, keepalived's subset).
struct VirtualAddress {
    Location where;
    IpPrefix address;                  // ADDRESS[/PREFIX]; prefix defaults to 32 / 128
    std::optional<std::string> dev;    // default: the instance's interface (or its VMAC)
    std::optional<std::uint8_t> scope; // rt_scopes number: global 0, site 200, link 253, host 254, nowhere 255
    enum class Broadcast : std::uint8_t { None, Address, Plus, Minus } broadcast = Broadcast::None;
    IpAddress broadcastAddress;        // when broadcast == Address
    std::optional<std::string> label;  // IPv4 only, at most 15 characters
    std::optional<IpAddress> peer;     // point-to-point peer; its prefix length is address.length
    bool home = false;                 // IFA_F_HOMEADDRESS (IPv6)
    bool noDad = false;                // -nodad
    bool manageTempAddr = false;       // mngtmpaddr
    bool noPrefixRoute = false;        // noprefixroute
    bool autoJoin = false;             // autojoin
    bool noTrack = false;              // no_track: a missing interface does not fault the instance
    bool useVmac = false;              // use_vmac: put this address on the instance's VMAC
    std::optional<std::uint32_t> preferredLifetime;  // seconds; 0xffffffff = forever
};

// One line of unicast_peer: `ADDRESS [min_ttl N] [max_ttl N]`.
struct UnicastPeer {
    Location where;
    IpAddress address;
    std::optional<std::uint8_t> minTtl;
    std::optional<std::uint8_t> maxTtl;
};

// A virtual_routes / virtual_rules line, kept as written (ip-route(8) / ip-rule(8) syntax) after keepalived's
// checks; vrrp/virtual_routes.cpp installs them on MASTER.
struct RouteLine {
    Location where;
    std::vector<std::string> words;
    std::vector<std::string> interfaces;  // dev / oif / iif / nexthop dev names, checked to exist
};

enum class VrrpState : std::uint8_t { Backup, Master };
enum class VrrpAuthType : std::uint8_t { Pass, Ah };

struct VrrpAuth {
    std::string owner;                       // the instance's name, for messages
    std::optional<VrrpAuthType> type;
    std::optional<std::string> password;     // at most 8 characters (longer is truncated, as keepalived does)
};

struct VrrpScript {
    Location where;
    std::string name;
    std::optional<ScriptCommand> command;             // script: program and arguments; user USER [GROUP]
    std::optional<std::uint32_t> intervalSeconds;     // default 1
    std::optional<std::uint32_t> timeoutSeconds;      // default: interval
    std::optional<std::int32_t> weight;               // [-253, 253]; default 0
    bool weightReverse = false;
    std::optional<std::uint32_t> rise;                // default 1
    std::optional<std::uint32_t> fall;                // default 1
    Location userWhere;                               // the `user` line (command->user/group)
    bool initFail = false;                            // start in the failed state
    std::vector<RawStatement> extras;
};

struct VrrpTrackProcess {
    Location where;
    std::string name;
    std::optional<std::string> process;               // process PATH [ARGS...]
    std::vector<std::string> parameters;
    enum class ParamMatch : std::uint8_t { Exact, Initial, Partial };
    std::optional<ParamMatch> paramMatch;             // `param_match` alone means Exact
    std::optional<std::int32_t> weight;               // [-254, 254]
    bool weightReverse = false;
    std::optional<std::uint32_t> quorum;              // [1, 65535]; default 1
    std::optional<std::uint32_t> quorumMax;           // [0, 65535]
    std::optional<std::uint64_t> delayUs;             // delay: sets both terminate and fork delay
    std::optional<std::uint64_t> terminateDelayUs;
    std::optional<std::uint64_t> forkDelayUs;
    bool fullCommand = false;
    std::vector<RawStatement> extras;
};

struct TrackFile {
    Location where;
    std::string name;
    bool deprecatedKeyword = false;                   // written as vrrp_track_file
    std::optional<std::string> file;
    std::optional<std::int32_t> weight;               // [-254, 254]; default 1
    bool weightReverse = false;
    bool initFile = false;                            // init_file [VALUE] [overwrite]
    std::optional<std::int32_t> initValue;
    bool initOverwrite = false;
    std::vector<RawStatement> extras;
};

struct GarpGroup {
    Location where;
    std::optional<std::uint64_t> garpIntervalUs;
    std::optional<std::uint64_t> gnaIntervalUs;
    bool garpIntervalGiven = false;                   // written, even if invalid (keepalived counts it)
    bool gnaIntervalGiven = false;
    std::vector<std::string> interfaces;              // interface IF / interfaces { IF ... }
    bool interfacesBlock = false;
    Location interfacesWhere;
    std::vector<Location> interfaceWhere;
    std::vector<RawStatement> extras;
};

struct VrrpNotify {
    std::optional<ScriptCommand> master, backup, fault, stop, any;  // any = `notify`
};

struct VrrpInstance {
    Location where;
    std::string name;

    std::optional<VrrpState> state;          // default: MASTER iff priority 255
    std::optional<std::string> interface;
    Location interfaceWhere;
    std::optional<std::string> vrf;
    std::optional<std::uint8_t> vrid;        // virtual_router_id, required
    std::optional<std::uint8_t> priority;    // default 100 (255 with state MASTER and no priority)
    std::optional<std::uint64_t> advertIntervalUs;  // advert_int seconds, default 1; v3 in 10 ms units
    std::optional<std::uint8_t> version;     // 2 or 3; default global vrrp_version (2), 3 for IPv6
    bool nativeIpv6 = false;
    std::optional<IpAddress::Family> family; // deduced from the first address written

    std::optional<VrrpAuth> authentication;  // VRRPv2 only (RFC 3768 5.3.6; RFC 5798 dropped it)

    std::vector<VirtualAddress> vips;
    std::vector<VirtualAddress> excludedVips;
    std::vector<RouteLine> virtualRoutes;
    std::vector<RouteLine> virtualRules;

    std::optional<IpAddress> sourceAddress;  // mcast_src_ip / unicast_src_ip (one setting in keepalived)
    std::string sourceKeyword = "mcast_src_ip";
    bool trackSourceIp = false;
    std::optional<IpAddress> mcastDestination;  // mcast_dst_ip
    std::vector<UnicastPeer> unicastPeers;
    bool unicastPeerBlock = false;
    std::optional<std::uint8_t> unicastTtl;
    bool unicastFaultNoPeer = false;
    bool checkUnicastSrc = false;
    std::optional<std::string> oldUnicastChecksum;  // "" (the keyword alone) or "never"

    bool useVmac = false;
    std::vector<std::string> useVmacArgs;    // use_vmac [NAME] [MAC] ... as written
    std::optional<std::string> vmacName;
    bool vmacMacGiven = false;
    bool useVmacAddr = false;
    bool vmacXmitBase = false;
    bool useIpvlan = false;
    std::vector<std::string> useIpvlanArgs;
    bool ipvlanAddressGiven = false;

    bool dontTrackPrimary = false;
    std::vector<TrackRef> trackInterfaces;
    std::vector<TrackRef> trackScripts;
    std::vector<TrackRef> trackFiles;
    std::vector<TrackRef> trackProcesses;
    std::vector<TrackRef> trackBfds;

    std::optional<bool> nopreempt;           // nopreempt = true, preempt = false (default preempt)
    std::optional<std::uint64_t> preemptDelayUs;
    std::optional<std::uint32_t> debug;      // 0..4

    VrrpNotify notify;
    bool notifyDeleted = false;
    std::optional<ScriptCommand> notifyDeletedCommand;
    std::optional<ScriptCommand> notifyMasterRxLowerPri;
    std::optional<bool> smtpAlert;
    std::optional<bool> notifyPriorityChanges;

    std::optional<std::uint32_t> garpMasterDelay;          // seconds, default 5
    std::optional<std::uint32_t> garpMasterRepeat;         // default 5
    std::optional<std::uint32_t> garpMasterRefresh;        // seconds, default 0 (off)
    std::optional<std::uint32_t> garpMasterRefreshRepeat;  // default 1
    std::optional<std::uint32_t> garpLowerPrioDelay;       // seconds
    std::optional<std::uint32_t> garpLowerPrioRepeat;
    std::optional<std::uint32_t> garpExtraIfDelay;         // garp_extra_if [all] SECONDS
    bool garpExtraIfAll = false;
    std::optional<std::uint32_t> downTimerAdverts;         // 1..100, default 3
    std::optional<bool> lowerPrioNoAdvert;
    std::optional<bool> higherPrioSendAdvert;
    std::optional<bool> strictMode;          // default: global vrrp_strict
    std::optional<bool> skipCheckAdvAddr;
    std::optional<bool> accept;              // accept = true, no_accept = false; default !strict
    std::optional<std::uint32_t> kernelRxBufSize;
    bool linkbeatUsePolling = false;
    bool promoteSecondaries = false;
    std::optional<std::string> lvsSyncDaemonInterface;  // deprecated per-instance form

    std::vector<RawStatement> extras;
};

struct VrrpSyncGroup {
    Location where;
    std::string name;
    bool groupGiven = false;
    std::uint32_t groupBlocks = 0;           // keepalived reads only the first group block
    Location groupWhere;
    std::vector<std::string> members;
    std::vector<TrackRef> trackInterfaces;
    std::vector<TrackRef> trackScripts;
    std::vector<TrackRef> trackFiles;
    std::vector<TrackRef> trackProcesses;
    std::vector<TrackRef> trackBfds;
    VrrpNotify notify;
    std::optional<bool> smtpAlert;
    bool globalTracking = false;             // deprecated spelling of sync_group_tracking_weight
    bool trackingWeight = false;             // sync_group_tracking_weight
    std::optional<bool> notifyPriorityChanges;
    std::vector<RawStatement> extras;
};

// One line of interface_up_down_delays: `IFNAME DOWN_DELAY [UP_DELAY]`, seconds with a fraction; the
// interface's state changes are reported to VRRP only after the delay (debouncing a flapping link).
struct InterfaceDelay {
    Location where;
    std::string interface;
    std::uint64_t downDelayUs = 0;
    std::uint64_t upDelayUs = 0;
};

// Collections that a child block appends to are deques: references stay valid while the block is open.
struct VrrpConfig {
    std::deque<VrrpScript> scripts;
    std::deque<VrrpTrackProcess> trackProcesses;
    std::deque<TrackFile> trackFiles;
    std::deque<GarpGroup> garpGroups;
    std::deque<VrrpInstance> instances;
    std::deque<VrrpSyncGroup> syncGroups;
    std::vector<InterfaceDelay> interfaceDelays;
    std::vector<RawStatement> extras;
};

}  // namespace ipvsd::conf
