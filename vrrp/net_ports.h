// The real ports: raw IPPROTO_VRRP sockets, libnl-route-3 for addresses and links plus an rtnetlink
// link watcher, AF_PACKET gratuitous ARP and ICMPv6 unsolicited NA, notify scripts as detached child
// processes, and Asio steady_timers. All non-blocking and driven by one io_context. Constructors do no
// I/O; sockets open in open()/start() and report a Result.
#pragma once

#include "conf/script_user.h"
#include "util/spawn.h"
#include "vrrp/ports.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>

struct nl_sock;

struct nft_ctx;  // libnftables
struct nlmsghdr;

namespace ipvsd::vrrp {

class RawPacketPort : public PacketPort {
  public:
    explicit RawPacketPort(boost::asio::io_context& io) : io_(io) {}
    ~RawPacketPort() override;
    Status open(int ifindex, IpAddress::Family family, const std::optional<IpAddress>& group, bool ah) override;
    Status sendDatagram(int ifindex, const IpAddress& destination, std::span<const std::uint8_t> datagram) override;
    Status send(int ifindex, const IpAddress& source, const IpAddress& destination,
                std::span<const std::uint8_t> packet) override;
    void onReceive(Handler handler) override { handler_ = std::move(handler); }
    std::uint64_t drops(DropReason reason) const override { return drops_[static_cast<std::size_t>(reason)]; }

  private:
    struct Socket {
        int ifindex = 0;
        IpAddress::Family family{};
        bool ah = false;  // IPPROTO_AH, IP_HDRINCL
        std::unique_ptr<boost::asio::posix::stream_descriptor> fd;
        std::set<IpAddress> groups;
    };
    void waitReadable(Socket& socket);
    void drain(Socket& socket);

    boost::asio::io_context& io_;
    std::map<std::tuple<int, IpAddress::Family, bool>, std::unique_ptr<Socket>> sockets_;  // (ifindex, family, ah)
    Handler handler_;
    std::array<std::uint64_t, kAllDropReasons.size()> drops_{};
    std::array<std::uint8_t, 65536> buffer_{};
};

// libnftables: tables `ip ipvsd` / `ip6 ipvsd` (vrrp/nft_rules.h), created on the first block of the
// family, deleted when the port goes (and at start: leftovers of a killed daemon).
class NftFirewallPort : public FirewallPort {
  public:
    NftFirewallPort();
    ~NftFirewallPort() override;
    NftFirewallPort(const NftFirewallPort&) = delete;
    NftFirewallPort& operator=(const NftFirewallPort&) = delete;
    Status block(const IpAddress& vip) override;
    Status unblock(const IpAddress& vip) override;

  private:
    Status run(const std::string& commands);
    ::nft_ctx* ctx_ = nullptr;
    std::optional<Error> unavailable_;  // no netfilter netlink: every block() fails with this, nothing exits
    std::map<IpAddress, int> blocked_;
    std::set<IpAddress::Family> tables_;
};

class NetlinkAddressPort : public AddressPort {
  public:
    explicit NetlinkAddressPort(boost::asio::io_context& io) : io_(io) {}
    ~NetlinkAddressPort() override;
    // Connects the libnl socket and subscribes the watcher to RTMGRP_LINK.
    Status start();
    std::optional<int> ifindex(const std::string& name) override;
    Result<bool> linkUp(int ifindex) override;
    Result<IpAddress> primaryAddress(int ifindex, IpAddress::Family family) override;
    Status addAddress(const VipSpec& vip) override;
    Status removeAddress(const VipSpec& vip) override;
    void onLinkChange(LinkHandler handler) override { handler_ = std::move(handler); }
    void onAddressRemoved(AddressHandler handler) override { removed_ = std::move(handler); }
    Result<int> createVmac(const std::string& name, int parent, const std::array<std::uint8_t, 6>& mac) override;
    Status deleteLink(int ifindex) override;

  private:
    void waitLinkEvents();
    void readLinkEvents();
    void addressDeleted(const ::nlmsghdr* h);
    Status change(const VipSpec& vip, bool add);
    Status changeLink(int index, bool noAddrGen);

    boost::asio::io_context& io_;
    nl_sock* sock_ = nullptr;
    std::unique_ptr<boost::asio::posix::stream_descriptor> watch_;
    LinkHandler handler_;
    AddressHandler removed_;
    std::array<std::uint8_t, 32768> buffer_{};
};

class NetAnnouncePort : public AnnouncePort {
  public:
    NetAnnouncePort() = default;
    ~NetAnnouncePort() override;
    NetAnnouncePort(const NetAnnouncePort&) = delete;
    NetAnnouncePort& operator=(const NetAnnouncePort&) = delete;
    Status announce(int ifindex, const IpAddress& address) override;

  private:
    Status garp(int ifindex, const IpAddress& address);
    Status unsolicitedNa(int ifindex, const IpAddress& address);
    int arpFd_ = -1;
    int icmp6Fd_ = -1;
};

// Runs each script detached (double fork), so the loop never waits and no zombie is left behind.
// check() watches the child through a pidfd on the loop and kills it at the timeout. Both start the
// script through spawnProcess (util/spawn.h) as the user keepalived would (conf/script_user.h).
class ProcessScriptPort : public ScriptPort {
  public:
    explicit ProcessScriptPort(boost::asio::io_context& io) : io_(io) {}
    ~ProcessScriptPort() override;
    Status run(const std::vector<std::string>& args, const ScriptUser& as) override;
    Status check(const std::vector<std::string>& args, const ScriptUser& as, std::chrono::nanoseconds timeout,
                 Done done) override;
    // global_defs' script_user / keepalived_script / enable_script_security, set at start and each reload.
    void setPolicy(conf::ScriptPolicy policy) { policy_ = std::move(policy); }

  private:
    struct Running {
        Running(boost::asio::io_context& io, int pidfd) : fd(io, pidfd), timer(io) {}
        boost::asio::posix::stream_descriptor fd;  // a pidfd: readable when the child has exited
        boost::asio::steady_timer timer;
        Done done;
        bool timedOut = false;
    };
    void reap(int pid);
    // Who runs the script (conf::scriptRunAs over policy_; the daemon itself before setPolicy).
    Result<SpawnOptions> spawnOptions(const std::vector<std::string>& args, const ScriptUser& as) const;
    boost::asio::io_context& io_;
    std::optional<conf::ScriptPolicy> policy_;
    std::map<int, std::unique_ptr<Running>> running_;
};

// A FIFO created if missing (mode 0600) and opened read-write non-blocking, so writing never waits for
// a reader; a line that does not fit is dropped and counted.
class FifoNotifySink : public NotifySink {
  public:
    explicit FifoNotifySink(std::string path) : path_(std::move(path)) {}
    ~FifoNotifySink() override;
    FifoNotifySink(const FifoNotifySink&) = delete;
    FifoNotifySink& operator=(const FifoNotifySink&) = delete;
    Status open();
    void write(const std::string& line) override;
    std::uint64_t dropped() const { return dropped_; }

  private:
    std::string path_;
    int fd_ = -1;
    std::uint64_t dropped_ = 0;
};

// track_file through inotify on the file's directory (the file may be created, replaced by a rename
// or deleted), read on the loop.
class InotifyFilePort : public FilePort {
  public:
    explicit InotifyFilePort(boost::asio::io_context& io) : io_(io) {}
    std::optional<std::string> read(const std::string& path) override;
    Status write(const std::string& path, const std::string& content) override;
    Status watch(const std::string& path, std::function<void()> changed) override;

  private:
    void waitEvents();
    boost::asio::io_context& io_;
    std::unique_ptr<boost::asio::posix::stream_descriptor> fd_;
    std::map<int, std::map<std::string, std::function<void()>>> watches_;  // wd -> file name -> callback
    std::array<char, 8192> buffer_{};
};

// vrrp_track_process: /proc for the scan and each process's comm/cmdline, the kernel's proc connector
// (NETLINK_CONNECTOR, CN_IDX_PROC; root, initial pid namespace) for exec/fork/comm/exit events.
class ProcConnectorPort : public ProcessPort {
  public:
    explicit ProcConnectorPort(boost::asio::io_context& io, std::string procRoot = "/proc")
        : io_(io), procRoot_(std::move(procRoot)) {}
    ~ProcConnectorPort() override;
    std::vector<int> pids() override;
    std::optional<ProcessInfo> info(int pid) override;
    Status watch(Handler handler) override;  // an empty handler stops listening

  private:
    void waitEvents();
    boost::asio::io_context& io_;
    std::string procRoot_;
    std::unique_ptr<boost::asio::posix::stream_descriptor> fd_;
    Handler handler_;
    alignas(8) std::array<char, 8192> buffer_{};  // nlmsghdr-aligned
};

class AsioScheduler : public Scheduler {
  public:
    explicit AsioScheduler(boost::asio::io_context& io) : io_(io) {}
    TimePoint now() const override { return std::chrono::steady_clock::now(); }
    std::unique_ptr<TimerHandle> schedule(TimePoint at,
                                          std::function<void(std::chrono::nanoseconds)> fire) override;

  private:
    boost::asio::io_context& io_;
};

}  // namespace ipvsd::vrrp
