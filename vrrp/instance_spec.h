// conf::VrrpInstance (+ global_defs and sync groups) -> what the engine runs. Pure: no lookups; the
// interface index and primary address are resolved by the engine when the instance starts. Two specs
// that compare equal need no change on reload (STYLE.md lesson 9).
#pragma once

#include "conf/config.h"
#include "vrrp/packet.h"
#include "vrrp/state_machine.h"

#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace ipvsd::vrrp {

// A virtual_ipaddress / virtual_ipaddress_excluded line, interface still by name.
struct VipLine {
    conf::IpPrefix address;
    std::optional<std::string> dev;  // none: the instance's interface
    std::uint8_t scope = 0;
    std::optional<std::string> label;
    std::optional<conf::IpAddress> broadcast;  // brd ADDRESS, or computed for brd + / brd -
    bool noDad = false;
    bool excluded = false;  // virtual_ipaddress_excluded: installed, never advertised
    bool operator==(const VipLine&) const = default;
};

struct TrackInterface {
    std::string name;
    std::int32_t weight = 0;  // 0: down means FAULT
    bool reverse = false;
    bool operator==(const TrackInterface&) const = default;
};

// track_script NAME [weight W [reverse]]: the weight resolved (the reference's, else the vrrp_script's).
struct TrackScript {
    std::string name;
    std::int32_t weight = 0;  // 0: failure means FAULT
    bool reverse = false;
    bool operator==(const TrackScript&) const = default;
};

// A vrrp_script block, keepalived's defaults applied.
struct ScriptSpec {
    std::string name;
    std::vector<std::string> args;
    conf::ScriptUser user;  // its `user USER [GROUP]`; empty: global_defs' default
    Duration interval = std::chrono::seconds(1);
    Duration timeout = std::chrono::seconds(1);  // default: the interval
    std::uint32_t rise = 1;                      // consecutive successes to go up
    std::uint32_t fall = 1;                      // consecutive failures to go down
    bool initFail = false;                       // start failed
    bool operator==(const ScriptSpec&) const = default;
};

// A track_file block: the file holds a number; tracked with weight W it adds number x W to the priority,
// with weight 0 any non-zero number is FAULT, and a contribution of -254 or less is FAULT too.
struct FileSpec {
    std::string name;
    std::string path;
    std::optional<std::int64_t> initValue;  // init_file: written at start when missing (or always
    bool initOverwrite = false;             // with overwrite)
    bool operator==(const FileSpec&) const = default;
};

// A vrrp_track_process block, defaults applied.
struct ProcessSpec {
    enum class ParamMatch : std::uint8_t { None, Exact, Initial, Partial };
    std::string name;
    std::string process;              // the command name (argv[0] or /proc/PID/comm)
    std::vector<std::string> params;  // matched against argv[1..]
    ParamMatch paramMatch = ParamMatch::None;  // None: params given = Exact, none given = comm only
    bool fullCommand = false;                  // match argv[0] (cmdline) instead of the process name
    std::uint32_t quorum = 1;
    std::uint32_t quorumMax = std::numeric_limits<std::uint32_t>::max();
    Duration forkDelay{0};       // up only after the quorum held this long
    Duration terminateDelay{0};  // down only after the quorum was lost this long
    bool operator==(const ProcessSpec&) const = default;
};

// One notify script: its words and its own USER [GROUP] (empty: global_defs' default user).
struct ScriptLine {
    std::vector<std::string> args;
    conf::ScriptUser as;
    ScriptLine() = default;
    ScriptLine(std::initializer_list<std::string> words) : args(words) {}
    ScriptLine(std::vector<std::string> words, conf::ScriptUser user) : args(std::move(words)), as(std::move(user)) {}
    bool empty() const { return args.empty(); }
    bool operator==(const ScriptLine&) const = default;
};

// keepalived's notify scripts: notify_STATE runs as written, `notify` gets "INSTANCE" NAME STATE PRIORITY.
struct NotifyCommands {
    ScriptLine master, backup, fault, stop, any;
    ScriptLine masterRxLowerPri;  // notify_master_rx_lower_pri, run as written
    bool operator==(const NotifyCommands&) const = default;
};

struct InstanceSpec {
    Instance core;
    std::string interface;
    conf::IpAddress::Family family = conf::IpAddress::Family::V4;
    std::optional<conf::IpAddress> sourceAddress;  // mcast_src_ip / unicast_src_ip
    conf::IpAddress multicastGroup;                // 224.0.0.18 / ff02::12 unless configured
    std::vector<conf::IpAddress> unicastPeers;     // set: unicast to each, no multicast
    bool checkUnicastSource = false;
    std::vector<VipLine> vips;
    AuthType authType = AuthType::None;  // v2 PASS, or AH (authData keys the HMAC, vrrp/ah.h)
    std::array<std::uint8_t, kAuthDataSize> authData{};
    bool checkAdvertAddresses = true;  // !skip_check_adv_addr
    std::vector<TrackInterface> trackInterfaces;
    bool trackPrimary = true;  // !dont_track_primary: the instance's own interface going down is FAULT
    std::vector<TrackScript> trackScripts;
    std::vector<TrackScript> trackFiles;  // same shape: name, resolved weight, reverse
    std::vector<TrackScript> trackBfds;   // track_bfd: the reference's weight, else the bfd_instance's
    std::vector<TrackScript> trackProcesses;  // track_process: name, resolved weight, reverse
    // use_vmac [NAME]: VIPs and adverts on a macvlan with the virtual MAC 00:00:5e:00:01:VRID (IPv6:
    // 00:00:5e:00:02:VRID, RFC 5798 7.3); default name vrrp.VRID.
    std::optional<std::string> vmac;
    // vmac_xmit_base: adverts sent and received on the configured interface; the VIPs stay on the VMAC.
    bool vmacXmitBase = false;
    NotifyCommands notify;
    Duration garpInterval{0};  // vrrp_garp_interval / vrrp_gna_interval for this family
    std::string syncGroup;     // "" when in none
    NotifyCommands groupNotify;
    bool operator==(const InstanceSpec&) const = default;

    // The addresses the adverts carry: the non-excluded VIPs of the instance's family.
    std::vector<conf::IpAddress> advertAddresses() const;
    ReceiveChecks receiveChecks() const;
};

struct SpecsOrErrors {
    std::vector<InstanceSpec> specs;
    std::vector<ScriptSpec> scripts;  // the vrrp_scripts some instance tracks
    std::vector<FileSpec> files;      // the track_files some instance tracks
    std::vector<ProcessSpec> processes;  // the vrrp_track_processes some instance tracks
    std::vector<std::string> errors;  // "(FILE: Line N) VI_1: message", keepalived's location format
};

SpecsOrErrors buildInstanceSpecs(const conf::Config& config);

}  // namespace ipvsd::vrrp
