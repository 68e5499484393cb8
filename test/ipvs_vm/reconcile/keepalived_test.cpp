// The peer check of desiredTable(): keepalived 2.2.7 runs in the guest on a configuration whose checkers
// fail (no route to those real servers) while the others have no checker; the table it converges to must
// equal the one ipvsd programs from the same configuration and the verdicts "checked ones down".
// Covers weights, removal, inhibit_on_failure (weight 0), alpha, quorum loss with a sorry server.
#include "../vm_env.h"

#include "conf/config.h"
#include "ipvs/executor.h"
#include "ipvs/plan.h"
#include "ipvsd/desired_table.h"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

using namespace ipvsd;
using namespace ipvsd::ipvs;

namespace {

const char* kConfig = R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  delay_loop 1
  quorum 2
  sorry_server 10.9.0.1 8080
  real_server 10.1.0.1 80 {
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
  real_server 10.1.0.2 80 {
  }
}
virtual_server 10.0.0.2 80 {
  protocol TCP
  lb_algo wrr
  lb_kind NAT
  delay_loop 1
  inhibit_on_failure
  real_server 10.1.0.3 80 {
    weight 2
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
  real_server 10.1.0.4 80 {
    weight 3
  }
}
virtual_server 10.0.0.3 80 {
  protocol TCP
  lb_algo rr
  lb_kind DR
  delay_loop 1
  alpha
  persistence_timeout 50
  real_server 10.1.0.5 80 {
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
  real_server 10.1.0.6 80 {
  }
}
)";

// A child process running keepalived's checker half in the current namespace, stopped on destruction.
class Keepalived {
  public:
    explicit Keepalived(const std::string& configPath) {
        const char* bin = std::getenv("IPVS_VM_KEEPALIVED");
        INFO("IPVS_VM_KEEPALIVED is not set");
        REQUIRE(bin);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            std::freopen("/tmp/keepalived.log", "w", stdout);
            std::freopen("/tmp/keepalived.log", "a", stderr);
            ::execl(bin, bin, "-C", "-n", "-l", "-D", "-f", configPath.c_str(), "-p", "/tmp/ka.pid", "-c",
                    "/tmp/ka_check.pid", "-r", "/tmp/ka_vrrp.pid", static_cast<char*>(nullptr));
            ::_exit(127);
        }
    }
    ~Keepalived() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(pid_, &status, WNOHANG) == pid_) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
    }
    Keepalived(const Keepalived&) = delete;
    Keepalived& operator=(const Keepalived&) = delete;

  private:
    pid_t pid_ = -1;
};

std::string slurp(const char* path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Programs `config` with ipvsd (start-up, then the verdicts: checked real servers down, the others up) in
// one fresh namespace and runs keepalived on it in another; its table must converge to ours within 20 s.
void compareWithKeepalived(const char* config) {
    conf::ParseOptions options;
    options.configId = "keepalived-peer";
    auto parsed = conf::parseText(config, options, "peer.conf");
    // keepalived runs configurations its -t calls wrong (exit 5) after warnings such as "reducing
    // quorum"; so does this comparison.
    for (const auto& d : parsed.diagnostics.items()) std::cout << "  conf: " << parsed.diagnostics.format(d) << "\n";
    REQUIRE(!parsed.config.lvs.virtualServers.empty());
    const conf::LvsConfig& lvs = parsed.config.lvs;
    HealthView health;
    for (const auto& vs : lvs.virtualServers) {
        std::vector<std::optional<RealServerHealth>> verdicts;
        for (const auto& rs : vs.realServers)
            verdicts.push_back(RealServerHealth{rs.checkers.empty(), std::nullopt});
        health.realServers.push_back(std::move(verdicts));
    }
    vm::freshNetns(false);
    {
        // The daemon's sequence, as keepalived lives it: start-up before any checker has spoken (real
        // servers up unless alpha), then the verdicts arrive, the quorum state carried over.
        auto port = vm::openPort();
        Executor exec(*port);
        auto first = desiredTable(lvs, {});
        REQUIRE(exec.execute(plan(first.table, exec.observed(), {})).ok());
        for (const auto& state : first.virtualServers) health.quorumUp.push_back(state.quorumUp);
        auto desired = desiredTable(lvs, health);
        auto report = exec.execute(plan(desired.table, exec.observed(), first.table.keys()));
        REQUIRE(report.ok());
    }
    const auto ours = vm::sortedLines(vm::ipvsadm({"-S", "-n"}));
    for (const auto& line : ours) std::cout << "  ipvsd:      " << line << "\n";

    vm::freshNetns(false);
    {
        std::ofstream("/tmp/peer.conf") << config;
    }
    std::vector<std::string> theirs;
    {
        Keepalived keepalived("/tmp/peer.conf");
        // Its checkers fail within a second or two (delay_loop 1, connect_timeout 1, retry 0).
        for (int i = 0; i < 80; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            theirs = vm::sortedLines(vm::ipvsadm({"-S", "-n"}));
            if (theirs == ours) break;
        }
    }
    for (const auto& line : theirs) std::cout << "  keepalived: " << line << "\n";
    INFO(slurp("/tmp/keepalived.log"));
    CHECK(theirs == ours);
}

const char* kStatic = R"(
virtual_server_group G {
  10.0.0.1-3 80
  10.1.0.0/31 443
}
virtual_server group G {
  protocol TCP
  lb_algo sh
  sh-port
  sh-fallback
  lb_kind TUN
  persistence_timeout 600
  persistence_granularity 255.255.255.0
  sorry_server 10.9.0.1
  sorry_server_inhibit
  real_server 10.2.0.1 {
    weight 4
  }
  real_server 10.2.0.2 {
    lvs_method DR
    uthreshold 200
    lthreshold 20
  }
}
virtual_server fwmark 9 {
  lb_algo mh
  mh-port
  lb_kind DR
  persistence_timeout 60
  real_server 10.2.0.10 {
  }
}
virtual_server 10.0.0.9 53 {
  protocol UDP
  lb_algo wlc
  lb_kind NAT
  ops
  real_server 10.2.0.9 53 {
    lvs_method TUN type gue port 6080 csum
  }
}
virtual_server 2001:db8::1 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  real_server 2001:db8::10 8080 {
  }
}
)";

// Quorum edges: a quorum above the total weight (reduced), inhibited real servers while the sorry server
// serves; quorum gained at start-up with everything up, then a failure that stays inside the hysteresis
// band (no loss); a sorry server with its own method.
const char* kQuorum = R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  delay_loop 1
  quorum 3
  inhibit_on_failure
  sorry_server 10.9.0.1 8080
  sorry_server_inhibit
  real_server 10.1.0.1 80 {
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
  real_server 10.1.0.2 80 {
  }
}
virtual_server 10.0.0.2 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  delay_loop 1
  quorum 2
  hysteresis 1
  sorry_server 10.9.0.2 80
  sorry_server_lvs_method DR
  real_server 10.1.0.3 80 {
    weight 2
  }
  real_server 10.1.0.4 80 {
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
}
virtual_server 10.0.0.3 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  delay_loop 1
  quorum 2
  hysteresis 1
  sorry_server 10.9.0.3 80
  real_server 10.1.0.5 80 {
    weight 3
  }
  real_server 10.1.0.6 80 {
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
}
)";

}  // namespace

TEST_CASE("reconcile: keepalived 2.2.7 and desiredTable agree on quorum edges", "[reconcile][keepalived]") {
    compareWithKeepalived(kQuorum);
}

TEST_CASE("reconcile: the table keepalived 2.2.7 converges to is the one desiredTable computes",
          "[reconcile][keepalived]") {
    compareWithKeepalived(kConfig);
}

TEST_CASE("reconcile: keepalived 2.2.7 and desiredTable agree on groups, fwmark, flags, tunnels, IPv6",
          "[reconcile][keepalived]") {
    compareWithKeepalived(kStatic);
}

namespace {

// A TCP listener on addr:80 that can be closed and opened again (what keepalived's TCP_CHECK sees).
class Listener {
  public:
    explicit Listener(const char* addr) : addr_(addr) { open(); }
    ~Listener() { close(); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    void open() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(80);
        REQUIRE(::inet_pton(AF_INET, addr_, &a.sin_addr) == 1);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(fd_, 64) == 0);
    }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

  private:
    const char* addr_;
    int fd_ = -1;
};

std::vector<std::string> waitFor(const std::vector<std::string>& want) {
    std::vector<std::string> got;
    for (int i = 0; i < 60; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        got = vm::sortedLines(vm::ipvsadm({"-S", "-n"}));
        if (got == want) break;
    }
    return got;
}

}  // namespace

TEST_CASE("reconcile: keepalived 2.2.7 and ipvsd agree through quorum lost and regained",
          "[reconcile][keepalived]") {
    const char* config = R"(
virtual_server 10.0.0.1 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  delay_loop 1
  quorum 2
  sorry_server 10.9.0.1 8080
  real_server 10.1.0.1 80 {
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
  real_server 10.1.0.2 80 {
  }
}
)";
    conf::ParseOptions options;
    options.configId = "keepalived-peer";
    auto parsed = conf::parseText(config, options, "peer.conf");
    REQUIRE(parsed.ok());
    // ipvsd's three tables: all up; the checked one down (quorum lost); up again (regained).
    std::vector<std::vector<std::string>> ours;
    vm::freshNetns(false);
    {
        auto port = vm::openPort();
        Executor exec(*port);
        HealthView health;
        std::set<ServiceKey> owned;
        for (bool up : {true, false, true}) {
            health.realServers = {{RealServerHealth{up, {}}, std::nullopt}};
            auto d = desiredTable(parsed.config.lvs, health);
            REQUIRE(exec.execute(plan(d.table, exec.observed(), owned)).ok());
            owned = ownedAfter(d.table, owned, exec.observed());
            health.quorumUp = {d.virtualServers[0].quorumUp};
            CHECK(d.virtualServers[0].change == (up ? QuorumChange::Gained : QuorumChange::Lost));
            ours.push_back(vm::sortedLines(vm::ipvsadm({"-S", "-n"})));
        }
    }
    CHECK(ours[0] == ours[2]);

    vm::freshNetns(true);
    vm::ip({"addr", "add", "10.1.0.1/32", "dev", "d0"});
    {
        std::ofstream("/tmp/peer2.conf") << config;
    }
    Listener listener("10.1.0.1");
    Keepalived keepalived("/tmp/peer2.conf");
    CHECK(waitFor(ours[0]) == ours[0]);
    listener.close();
    CHECK(waitFor(ours[1]) == ours[1]);
    listener.open();
    CHECK(waitFor(ours[2]) == ours[2]);
    INFO(slurp("/tmp/keepalived.log"));
}
