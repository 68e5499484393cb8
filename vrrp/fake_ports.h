// In-memory ports for unit tests of the engine (STYLE.md lesson 10): they record what the engine did
// and answer with the kernel's errnos (EEXIST for a present address, EADDRNOTAVAIL for an absent one).
#pragma once

#include "vrrp/ports.h"

#include <cerrno>
#include <map>
#include <set>
#include <utility>

namespace ipvsd::vrrp::fake {

struct SentPacket {
    int ifindex;
    IpAddress source, destination;
    std::vector<std::uint8_t> bytes;
};

class FakePacketPort : public PacketPort {
  public:
    Status open(int ifindex, IpAddress::Family family, const std::optional<IpAddress>& group, bool ah) override {
        opened.push_back({ifindex, family, group, ah});
        return Ok{};
    }
    Status sendDatagram(int ifindex, const IpAddress& destination, std::span<const std::uint8_t> datagram) override {
        datagrams.push_back({ifindex, {}, destination, {datagram.begin(), datagram.end()}});
        return Ok{};
    }
    Status send(int ifindex, const IpAddress& source, const IpAddress& destination,
                std::span<const std::uint8_t> packet) override {
        if (rejectSource && source == *rejectSource) return Error{"sendmsg", EINVAL, "not a local address"};
        sent.push_back({ifindex, source, destination, {packet.begin(), packet.end()}});
        return Ok{};
    }
    std::optional<IpAddress> rejectSource;  // the kernel's EINVAL for a source that is no longer local
    void onReceive(Handler handler) override { handler_ = std::move(handler); }
    std::uint64_t drops(DropReason) const override { return 0; }
    void deliver(const ReceivedPacket& packet) { if (handler_) handler_(packet); }

    struct Opened {
        int ifindex;
        IpAddress::Family family;
        std::optional<IpAddress> group;
        bool ah = false;
    };
    std::vector<Opened> opened;
    std::vector<SentPacket> sent;
    std::vector<SentPacket> datagrams;  // sendDatagram (auth_type AH): whole IPv4 datagrams

  private:
    Handler handler_;
};

class FakeAddressPort : public AddressPort {
  public:
    AddressHandler removedHandler;
    void onAddressRemoved(AddressHandler handler) override { removedHandler = std::move(handler); }
    // Someone else deletes an installed address: gone from the table, then RTM_DELADDR.
    void removeExternally(int ifindex, const IpPrefix& prefix) {
        installed.erase({ifindex, prefix});
        if (removedHandler) removedHandler(ifindex, prefix.address);
    }
    struct Link {
        int index;
        bool up = true;
        std::vector<IpAddress> addresses;
    };
    std::map<std::string, Link> links;
    std::set<std::pair<int, IpPrefix>> installed;  // (ifindex, address)
    std::uint64_t adds = 0, removes = 0;

    std::optional<int> ifindex(const std::string& name) override {
        auto it = links.find(name);
        if (it == links.end()) return std::nullopt;
        return it->second.index;
    }
    Result<bool> linkUp(int index) override {
        for (auto& [name, link] : links)
            if (link.index == index) return link.up;
        return Error{"get link", ENODEV, {}};
    }
    Result<IpAddress> primaryAddress(int index, IpAddress::Family family) override {
        for (auto& [name, link] : links)
            if (link.index == index)
                for (const auto& a : link.addresses)
                    if (a.family == family) return a;
        return Error{"primary address", EADDRNOTAVAIL, {}};
    }
    Status addAddress(const VipSpec& vip) override {
        ++adds;
        if (!installed.insert({vip.ifindex, vip.address}).second) return Error{"add address", EEXIST, {}};
        return Ok{};
    }
    Status removeAddress(const VipSpec& vip) override {
        ++removes;
        if (installed.erase({vip.ifindex, vip.address}) == 0)
            return Error{"delete address", EADDRNOTAVAIL, {}};
        return Ok{};
    }
    void onLinkChange(LinkHandler handler) override { handler_ = std::move(handler); }
    Result<int> createVmac(const std::string& name, int parent, const std::array<std::uint8_t, 6>& mac) override {
        if (auto it = links.find(name); it != links.end()) return it->second.index;
        int index = 100 + static_cast<int>(links.size());
        links[name] = {index, true, {}};
        vmacs[name] = {parent, mac};
        return index;
    }
    Status deleteLink(int index) override {
        for (auto it = links.begin(); it != links.end(); ++it)
            if (it->second.index == index) {
                vmacs.erase(it->first);
                links.erase(it);
                return Ok{};
            }
        return Error{"delete link", ENODEV, {}};
    }
    std::map<std::string, std::pair<int, std::array<std::uint8_t, 6>>> vmacs;  // name -> (parent, MAC)
    void setLink(const std::string& name, bool up) {
        links.at(name).up = up;
        if (handler_) handler_(links.at(name).index, up);
    }

  private:
    LinkHandler handler_;
};

class FakeAnnouncePort : public AnnouncePort {
  public:
    Status announce(int ifindex, const IpAddress& address) override {
        sent.emplace_back(ifindex, address);
        return Ok{};
    }
    std::vector<std::pair<int, IpAddress>> sent;
};

class FakeScriptPort : public ScriptPort {
  public:
    Status run(const std::vector<std::string>& args, const ScriptUser& as) override {
        runs.push_back(args);
        runUsers.push_back(as);
        return Ok{};
    }
    Status check(const std::vector<std::string>& args, const ScriptUser& as, std::chrono::nanoseconds,
                 Done done) override {
        checks.push_back({args, std::move(done)});
        checkUsers.push_back(as);
        return Ok{};
    }
    // Ends the oldest running check with `status` (nullopt: timed out).
    bool finishCheck(std::optional<int> status) {
        if (checks.empty()) return false;
        auto c = std::move(checks.front());
        checks.erase(checks.begin());
        c.second(status);
        return true;
    }
    std::vector<std::vector<std::string>> runs;
    std::vector<ScriptUser> runUsers;  // who each run was asked to run as
    std::vector<std::pair<std::vector<std::string>, Done>> checks;
    std::vector<ScriptUser> checkUsers;
};

// A process table the test edits; start/stop/rename also emit the proc connector's events.
class FakeProcessPort : public ProcessPort {
  public:
    std::map<int, ProcessInfo> table;
    std::vector<int> pids() override {
        std::vector<int> out;
        for (const auto& [pid, info] : table) out.push_back(pid);
        return out;
    }
    std::optional<ProcessInfo> info(int pid) override {
        auto it = table.find(pid);
        if (it == table.end()) return std::nullopt;
        return it->second;
    }
    Status watch(Handler handler) override {
        handler_ = std::move(handler);
        return Ok{};
    }
    void start(int pid, ProcessInfo info) {
        table[pid] = std::move(info);
        if (handler_) handler_(pid, false);
    }
    void stop(int pid) {
        table.erase(pid);
        if (handler_) handler_(pid, true);
    }
    bool watching() const { return static_cast<bool>(handler_); }

  private:
    Handler handler_;
};

// Counts blocks per address, as the nftables port does.
class FakeFirewallPort : public FirewallPort {
  public:
    std::map<IpAddress, int> blocked;
    Status block(const IpAddress& vip) override {
        ++blocked[vip];
        return Ok{};
    }
    Status unblock(const IpAddress& vip) override {
        auto it = blocked.find(vip);
        if (it == blocked.end()) return Error{"unblock", ENOENT, vip.toString()};
        if (--it->second == 0) blocked.erase(it);
        return Ok{};
    }
};

class FakeFilePort : public FilePort {
  public:
    std::optional<std::string> read(const std::string& path) override {
        auto it = files.find(path);
        if (it == files.end()) return std::nullopt;
        return it->second;
    }
    Status write(const std::string& path, const std::string& content) override {
        files[path] = content;
        return Ok{};
    }
    Status watch(const std::string& path, std::function<void()> changed) override {
        watchers[path] = std::move(changed);
        return Ok{};
    }
    void set(const std::string& path, const std::string& content) {
        files[path] = content;
        if (watchers.count(path)) watchers[path]();
    }
    std::map<std::string, std::string> files;
    std::map<std::string, std::function<void()>> watchers;
};

class FakeNotifySink : public NotifySink {
  public:
    void write(const std::string& line) override { lines.push_back(line); }
    std::vector<std::string> lines;
};

// A clock that moves only when the test advances it; timers fire in deadline order (Envoy's
// SimulatedTimeSystem). Handles unregister on destruction.
class FakeScheduler : public Scheduler {
  public:
    TimePoint now() const override { return now_; }
    std::unique_ptr<TimerHandle> schedule(TimePoint at,
                                          std::function<void(std::chrono::nanoseconds)> fire) override {
        auto id = next_++;
        pending_[{at, id}] = std::move(fire);
        return std::make_unique<Handle>(*this, std::make_pair(at, id));
    }
    // Fires every timer due up to `until`, in order, moving the clock to each deadline.
    void advanceTo(TimePoint until) {
        while (!pending_.empty() && pending_.begin()->first.first <= until) {
            auto node = pending_.extract(pending_.begin());
            now_ = std::max(now_, node.key().first);
            node.mapped()(now_ - node.key().first);
        }
        now_ = std::max(now_, until);
    }
    void advance(std::chrono::nanoseconds by) { advanceTo(now_ + by); }
    std::size_t pendingCount() const { return pending_.size(); }

  private:
    using Key = std::pair<TimePoint, std::uint64_t>;
    struct Handle : TimerHandle {
        Handle(FakeScheduler& s, Key k) : scheduler(s), key(k) {}
        ~Handle() override { scheduler.pending_.erase(key); }
        FakeScheduler& scheduler;
        Key key;
    };
    TimePoint now_{std::chrono::seconds(1000)};
    std::uint64_t next_ = 0;
    std::map<Key, std::function<void(std::chrono::nanoseconds)>> pending_;
};

}  // namespace ipvsd::vrrp::fake
