// The engine's view of the kernel (STYLE.md lesson 10): narrow ports with a real implementation
// (vrrp/net_*.cpp, Asio + raw sockets + libnl) and an in-memory fake (vrrp/fake_ports.h) for unit tests.
// Everything is keyed by interface index; names are resolved once through the AddressPort.
#pragma once

#include "conf/address.h"
#include "conf/model/script.h"
#include "util/result.h"
#include "vrrp/packet.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ipvsd::vrrp {

using conf::IpAddress;
using conf::IpPrefix;

// One received VRRP datagram as the socket saw it: the VRRP payload and what the IP header said.
struct ReceivedPacket {
    int ifindex = 0;
    IpHeaderFacts ip;
    std::vector<std::uint8_t> payload;  // VRRP packet only (IPv4 header and AH already split off)
    std::vector<std::uint8_t> datagram;  // inside AH (ip.viaAh): the whole IPv4 datagram, for the ICV
};

// Raw IPPROTO_VRRP sockets, one per (interface, family), shared by every instance on it.
class PacketPort {
  public:
    using Handler = std::function<void(const ReceivedPacket&)>;
    virtual ~PacketPort() = default;
    // Opens (or reuses) the socket for the interface and family; joins `group` when it is multicast.
    // `ah`: the IPv4 socket for IP protocol 51 (auth_type AH), sending whole datagrams (sendDatagram).
    virtual Status open(int ifindex, IpAddress::Family family, const std::optional<IpAddress>& group,
                        bool ah) = 0;
    // Sends one VRRP packet with TTL / hop limit 255 from `source` to `destination`.
    virtual Status send(int ifindex, const IpAddress& source, const IpAddress& destination,
                        std::span<const std::uint8_t> packet) = 0;
    // auth_type AH: a complete IPv4 datagram (our own header, encodeAhDatagram) on the AH socket.
    virtual Status sendDatagram(int ifindex, const IpAddress& destination, std::span<const std::uint8_t> datagram) = 0;
    virtual void onReceive(Handler handler) = 0;
    // Packets dropped before any instance saw them (IP header / AH split), by reason.
    virtual std::uint64_t drops(DropReason reason) const = 0;
};

// A VIP as the kernel needs it (ip-address(8)).
struct VipSpec {
    int ifindex = 0;
    IpPrefix address;
    std::uint8_t scope = 0;                  // RT_SCOPE_UNIVERSE
    std::optional<std::string> label;        // IPv4
    std::optional<IpAddress> broadcast;
    bool noDad = false;
    bool operator==(const VipSpec&) const = default;
};

// rtnetlink: interfaces, their state and addresses.
class AddressPort {
  public:
    using LinkHandler = std::function<void(int ifindex, bool up)>;
    virtual ~AddressPort() = default;
    virtual std::optional<int> ifindex(const std::string& name) = 0;
    virtual Result<bool> linkUp(int ifindex) = 0;  // IFF_UP and IFF_RUNNING
    // The source for adverts: IPv4 the first global address, IPv6 the link-local (RFC 5798 5.1.2.1).
    virtual Result<IpAddress> primaryAddress(int ifindex, IpAddress::Family family) = 0;
    virtual Status addAddress(const VipSpec& vip) = 0;     // EEXIST when present
    virtual Status removeAddress(const VipSpec& vip) = 0;  // EADDRNOTAVAIL when absent
    virtual void onLinkChange(LinkHandler handler) = 0;
    // RTM_DELADDR: an address was deleted (by anyone, us included).
    using AddressHandler = std::function<void(int ifindex, const IpAddress& address)>;
    virtual void onAddressRemoved(AddressHandler handler) = 0;
    // use_vmac: a macvlan (private mode) on `parent` with the VRRP virtual MAC, up; an existing link of
    // that name is reused. Returns its ifindex.
    virtual Result<int> createVmac(const std::string& name, int parent, const std::array<std::uint8_t, 6>& mac) = 0;
    virtual Status deleteLink(int ifindex) = 0;
};

// Gratuitous ARP (IPv4) and unsolicited Neighbour Advertisement (IPv6) for one address.
class AnnouncePort {
  public:
    virtual ~AnnouncePort() = default;
    virtual Status announce(int ifindex, const IpAddress& address) = 0;
};

// vrrp_strict / no_accept: a master not in accept mode drops traffic to its VIPs (keepalived: nftables
// table `keepalived`; ours is `ipvsd`, vrrp/nft_rules.h). Blocks are counted per address.
class FirewallPort {
  public:
    virtual ~FirewallPort() = default;
    virtual Status block(const IpAddress& vip) = 0;
    virtual Status unblock(const IpAddress& vip) = 0;
};

// What /proc says about one process.
struct ProcessInfo {
    std::string comm;               // /proc/PID/comm without the newline (at most 15 characters)
    std::vector<std::string> argv;  // /proc/PID/cmdline split at NULs
};

// The processes of the host: the real one reads /proc and listens to the proc connector.
class ProcessPort {
  public:
    // pid started (exec, fork) or changed its name; `exited`: the process is gone
    using Handler = std::function<void(int pid, bool exited)>;
    virtual ~ProcessPort() = default;
    virtual std::vector<int> pids() = 0;                       // the initial scan
    virtual std::optional<ProcessInfo> info(int pid) = 0;      // nullopt: gone
    virtual Status watch(Handler handler) = 0;                 // starts the event stream
};

// A script's own `USER [GROUP]`; the real port applies global_defs' rule (conf/script_user.h) to it.
using ScriptUser = conf::ScriptUser;

// Notify scripts: started asynchronously, never waited for on the loop.
class ScriptPort {
  public:
    // The exit status, or nullopt when the script timed out or died by a signal (a failure).
    using Done = std::function<void(std::optional<int> exitStatus)>;
    virtual ~ScriptPort() = default;
    virtual Status run(const std::vector<std::string>& args, const ScriptUser& as) = 0;
    // vrrp_script: runs `args`, kills it after `timeout`, and calls `done` on the loop when it ends.
    virtual Status check(const std::vector<std::string>& args, const ScriptUser& as, std::chrono::nanoseconds timeout,
                         Done done) = 0;
};

// track_file: a file's content, and a callback whenever it may have changed (created, written, renamed
// over, deleted). The engine reads it again on each call.
class FilePort {
  public:
    virtual ~FilePort() = default;
    virtual std::optional<std::string> read(const std::string& path) = 0;  // nullopt: missing
    virtual Status write(const std::string& path, const std::string& content) = 0;
    virtual Status watch(const std::string& path, std::function<void()> changed) = 0;
};

// notify_fifo / vrrp_notify_fifo: one line per state change (`INSTANCE "VI_1" MASTER 100`).
class NotifySink {
  public:
    virtual ~NotifySink() = default;
    virtual void write(const std::string& line) = 0;
};

// Time and timers, injected (STYLE.md lessons 3 and 4): destroying a handle cancels its timer.
class TimerHandle {
  public:
    virtual ~TimerHandle() = default;
};
class Scheduler {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;
    virtual ~Scheduler() = default;
    virtual TimePoint now() const = 0;
    // Calls `fire(lateness)` at or after `at`; lateness is how late it ran.
    virtual std::unique_ptr<TimerHandle> schedule(TimePoint at,
                                                  std::function<void(std::chrono::nanoseconds)> fire) = 0;
};

}  // namespace ipvsd::vrrp
