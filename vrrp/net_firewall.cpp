// no_accept / vrrp_strict filtering through libnftables' command API (vrrp/nft_rules.h has the text).
#include "vrrp/net_ports.h"
#include "vrrp/nft_rules.h"

#include <nftables/libnftables.h>

#include <cerrno>

#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ipvsd::vrrp {

namespace {

// libnftables 1.0.6 prints "Unable to initialize Netlink socket" and calls exit() when it cannot open its
// netlink socket (a kernel without nfnetlink, e.g. the test guest): it is only used when that socket opens.
Status netfilterNetlinkAvailable() {
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    if (fd < 0) return Error{"socket(NETLINK_NETFILTER)", errno, "nftables unavailable"};
    ::close(fd);
    return Ok{};
}

}  // namespace

NftFirewallPort::NftFirewallPort() {
    if (auto available = netfilterNetlinkAvailable(); !available) {
        unavailable_ = available.error();
        return;
    }
    ctx_ = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!ctx_) return;
    nft_ctx_buffer_output(ctx_);
    nft_ctx_buffer_error(ctx_);
    // a daemon killed earlier left its tables: start clean (errors: there was nothing)
    for (auto family : {IpAddress::Family::V4, IpAddress::Family::V6}) (void)run(nftDeleteTable(family));
}

NftFirewallPort::~NftFirewallPort() {
    if (!ctx_) return;
    for (auto family : tables_) (void)run(nftDeleteTable(family));
    nft_ctx_free(ctx_);
}

Status NftFirewallPort::run(const std::string& commands) {
    if (unavailable_) return *unavailable_;
    if (!ctx_) return Error{"nft_ctx_new", ENOMEM, {}};
    if (nft_run_cmd_from_buffer(ctx_, commands.c_str()) != 0) {
        std::string detail = nft_ctx_get_error_buffer(ctx_);
        while (!detail.empty() && detail.back() == '\n') detail.pop_back();
        return Error{"nftables", EINVAL, detail};
    }
    return Ok{};
}

Status NftFirewallPort::block(const IpAddress& vip) {
    if (blocked_[vip]++ > 0) return Ok{};
    if (!tables_.count(vip.family)) {
        if (auto created = run(nftCreateTable(vip.family)); !created) {
            if (--blocked_[vip] == 0) blocked_.erase(vip);
            return created;
        }
        tables_.insert(vip.family);
    }
    if (auto added = run(nftAddVip(vip)); !added) {
        if (--blocked_[vip] == 0) blocked_.erase(vip);
        return added;
    }
    return Ok{};
}

Status NftFirewallPort::unblock(const IpAddress& vip) {
    auto it = blocked_.find(vip);
    if (it == blocked_.end()) return Error{"unblock", ENOENT, vip.toString()};
    if (--it->second > 0) return Ok{};
    blocked_.erase(it);
    return run(nftDeleteVip(vip));
}

}  // namespace ipvsd::vrrp
