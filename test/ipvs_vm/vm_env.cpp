#include "vm_env.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace ipvsd::ipvs::vm {

namespace {

// One RTM_NEWLINK request with an ack, on a short-lived NETLINK_ROUTE socket.
void newLink(int ifindex, const char* name, const char* kind) {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    REQUIRE(fd.valid());
    alignas(nlmsghdr) char buf[512] = {};
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_NEWLINK;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (kind ? NLM_F_CREATE | NLM_F_EXCL : 0);
    nlh->nlmsg_seq = 1;
    auto* ifm = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifm->ifi_family = AF_UNSPEC;
    ifm->ifi_index = ifindex;
    ifm->ifi_flags = IFF_UP;
    ifm->ifi_change = IFF_UP;
    if (name) mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
    if (kind) {
        nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
        mnl_attr_nest_end(nlh, info);
    }
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    REQUIRE(::sendto(fd.get(), buf, nlh->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) ==
            static_cast<ssize_t>(nlh->nlmsg_len));
    alignas(nlmsghdr) char reply[1024];
    ssize_t got = ::recv(fd.get(), reply, sizeof reply, 0);
    REQUIRE(got >= static_cast<ssize_t>(sizeof(nlmsghdr) + sizeof(nlmsgerr)));
    const auto* ack = reinterpret_cast<const nlmsghdr*>(reply);
    REQUIRE(ack->nlmsg_type == NLMSG_ERROR);
    const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(ack));
    INFO("RTM_NEWLINK " << (name ? name : "lo") << ": " << std::strerror(-err->error));
    REQUIRE(err->error == 0);
}

std::string env(const char* name) {
    const char* value = std::getenv(name);
    INFO(name << " is not set (the guest script exports it)");
    REQUIRE(value);
    return value;
}

}  // namespace

void freshNetns(bool withDummy) {
    REQUIRE(::unshare(CLONE_NEWNET) == 0);
    newLink(1, nullptr, nullptr);  // lo is ifindex 1 in every namespace; without it up, inet_addr_type()
                                   // finds no local table and IPv4 destinations are refused with EINVAL
    if (withDummy) newLink(0, "d0", "dummy");
}

std::unique_ptr<NetlinkIpvsPort> openPort() {
    auto port = NetlinkIpvsPort::open();
    INFO((port ? ""
               : port.error().operation + ": " + std::strerror(port.error().errnum) + " " +
                     port.error().detail));
    REQUIRE(port.ok());
    return std::move(port).value();
}

RunResult run(const std::vector<std::string>& argv, const std::string& input) {
    int in[2], out[2];
    REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(out[1], 2);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    // Small inputs and outputs alternate safely only when written first: ipvsadm -R reads all its input
    // before printing. Outputs larger than a pipe are drained after the input is written.
    std::size_t written = 0;
    while (written < input.size()) {
        ssize_t n = ::write(in[1], input.data() + written, input.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        written += static_cast<std::size_t>(n);
    }
    ::close(in[1]);
    RunResult result;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        result.output.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    result.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    return result;
}

std::string ipvsadmPath() {
    return env("IPVS_VM_IPVSADM");
}
std::string ipPath() {
    return env("IPVS_VM_IP");
}

std::string ipvsadm(const std::vector<std::string>& args, const std::string& input) {
    std::vector<std::string> argv{ipvsadmPath()};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r = run(argv, input);
    INFO("ipvsadm output: " << r.output);
    REQUIRE(r.status == 0);
    return r.output;
}

void ip(const std::vector<std::string>& args) {
    std::vector<std::string> argv{ipPath()};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r = run(argv);
    INFO("ip output: " << r.output);
    REQUIRE(r.status == 0);
}

std::vector<std::string> sortedLines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    return lines;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace ipvsd::ipvs::vm
