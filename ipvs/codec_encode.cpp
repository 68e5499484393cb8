// Requests of the IPVS generic-netlink family, built with libmnl into a MessageBatch. Attribute types and
// sizes follow the kernel's policies (ip_vs_cmd_policy, ip_vs_svc_policy, ip_vs_dest_policy,
// ip_vs_daemon_policy in net/netfilter/ipvs/ip_vs_ctl.c, whose values are in the uapi header).
#include "ipvs/codec.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

namespace ipvsd::ipvs::codec {

namespace {
// NLMSG_ALIGN / NLA_ALIGN without the int arithmetic of the macros.
constexpr std::size_t align4(std::size_t n) {
    return (n + 3) & ~std::size_t{3};
}
}  // namespace

static_assert(static_cast<int>(Family::Inet) == AF_INET && static_cast<int>(Family::Inet6) == AF_INET6);
static_assert(static_cast<int>(Protocol::Tcp) == IPPROTO_TCP &&
              static_cast<int>(Protocol::Udp) == IPPROTO_UDP &&
              static_cast<int>(Protocol::Sctp) == IPPROTO_SCTP);
static_assert(serviceflag::kPersistent == IP_VS_SVC_F_PERSISTENT &&
              serviceflag::kHashed == IP_VS_SVC_F_HASHED &&
              serviceflag::kOnePacket == IP_VS_SVC_F_ONEPACKET &&
              serviceflag::kShFallback == IP_VS_SVC_F_SCHED_SH_FALLBACK &&
              serviceflag::kShPort == IP_VS_SVC_F_SCHED_SH_PORT &&
              serviceflag::kSched3 == IP_VS_SVC_F_SCHED3);
static_assert(static_cast<unsigned>(ForwardMethod::Masquerade) == IP_VS_CONN_F_MASQ &&
              static_cast<unsigned>(ForwardMethod::Local) == IP_VS_CONN_F_LOCALNODE &&
              static_cast<unsigned>(ForwardMethod::Tunnel) == IP_VS_CONN_F_TUNNEL &&
              static_cast<unsigned>(ForwardMethod::DirectRoute) == IP_VS_CONN_F_DROUTE);
static_assert(static_cast<int>(TunnelType::Ipip) == IP_VS_CONN_F_TUNNEL_TYPE_IPIP &&
              static_cast<int>(TunnelType::Gue) == IP_VS_CONN_F_TUNNEL_TYPE_GUE &&
              static_cast<int>(TunnelType::Gre) == IP_VS_CONN_F_TUNNEL_TYPE_GRE);
static_assert(tunnelflag::kCsum == IP_VS_TUNNEL_ENCAP_FLAG_CSUM &&
              tunnelflag::kRemCsum == IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM);
static_assert(static_cast<int>(SyncState::Master) == IP_VS_STATE_MASTER &&
              static_cast<int>(SyncState::Backup) == IP_VS_STATE_BACKUP);

void MessageBatch::clear() {
    bytes_.clear();
    committed_ = 0;
    messages_ = 0;
}

std::uint8_t* MessageBatch::beginMessage(std::size_t maxSize) {
    bytes_.resize(committed_);
    bytes_.resize(committed_ + maxSize, 0);
    return bytes_.data() + committed_;
}

void MessageBatch::endMessage(std::size_t used) {
    committed_ += align4(used);
    bytes_.resize(committed_);
    ++messages_;
}

void MessageBatch::abandonMessage() {
    bytes_.resize(committed_);
}

namespace {

// Every IPVS request fits easily: the largest (a full destination with its service) is under 200 bytes.
constexpr std::size_t kMaxMessage = 512;
// Names the kernel stores in 16-byte arrays, NUL included (IP_VS_SCHEDNAME_MAXLEN etc.).
constexpr std::size_t kMaxName = IP_VS_SCHEDNAME_MAXLEN - 1;

Error encodeError(std::string detail) {
    return Error{"encode request", EINVAL, std::move(detail)};
}

// Builds one message in a MessageBatch; remembers the first attribute that did not fit.
class Builder {
  public:
    Builder(MessageBatch& out, std::uint16_t type, std::uint16_t flags, std::uint32_t seq,
            std::uint32_t portId, std::uint8_t cmd, std::uint8_t version)
        : out_(out), nlh_(mnl_nlmsg_put_header(out.beginMessage(kMaxMessage))) {
        nlh_->nlmsg_type = type;
        nlh_->nlmsg_flags = flags;
        nlh_->nlmsg_seq = seq;
        nlh_->nlmsg_pid = portId;
        auto* genl = static_cast<genlmsghdr*>(mnl_nlmsg_put_extra_header(nlh_, sizeof(genlmsghdr)));
        genl->cmd = cmd;
        genl->version = version;
    }

    void u8(std::uint16_t type, std::uint8_t v) {
        fits_ = fits_ && mnl_attr_put_u8_check(nlh_, kMaxMessage, type, v);
    }
    void u16(std::uint16_t type, std::uint16_t v) {
        fits_ = fits_ && mnl_attr_put_u16_check(nlh_, kMaxMessage, type, v);
    }
    void u32(std::uint16_t type, std::uint32_t v) {
        fits_ = fits_ && mnl_attr_put_u32_check(nlh_, kMaxMessage, type, v);
    }
    void be16(std::uint16_t type, std::uint16_t hostOrder) { u16(type, htons(hostOrder)); }
    void bytes(std::uint16_t type, const void* data, std::size_t size) {
        fits_ = fits_ && mnl_attr_put_check(nlh_, kMaxMessage, type, size, data);
    }
    void strz(std::uint16_t type, const std::string& s) {
        fits_ = fits_ && mnl_attr_put_strz_check(nlh_, kMaxMessage, type, s.c_str());
    }
    nlattr* nestStart(std::uint16_t type) {
        nlattr* nest = fits_ ? mnl_attr_nest_start_check(nlh_, kMaxMessage, type) : nullptr;
        fits_ = nest != nullptr;
        return nest;
    }
    void nestEnd(nlattr* nest) {
        if (nest) mnl_attr_nest_end(nlh_, nest);
    }

    Status finish() {
        if (!fits_) {
            out_.abandonMessage();
            return Error{"encode request", EMSGSIZE, "request larger than " + std::to_string(kMaxMessage)};
        }
        out_.endMessage(nlh_->nlmsg_len);
        return Ok{};
    }
    void abandon() { out_.abandonMessage(); }

  private:
    MessageBatch& out_;
    nlmsghdr* nlh_;
    bool fits_ = true;
};

Status checkName(const std::string& name, std::string_view what) {
    if (name.size() > kMaxName || name.find('\0') != std::string::npos) {
        return encodeError(std::string{what} + " \"" + name + "\" is longer than 15 characters");
    }
    return Ok{};
}

// The attributes that identify a service (ip_vs_genl_parse_service): the family, then the fwmark or
// protocol + address + port. Addresses go as the full 16-byte union nf_inet_addr.
void putServiceIdentity(Builder& b, const ServiceKey& key) {
    b.u16(IPVS_SVC_ATTR_AF, static_cast<std::uint16_t>(key.family));
    if (key.isFwmark()) {
        b.u32(IPVS_SVC_ATTR_FWMARK, key.fwmark);
        return;
    }
    b.u16(IPVS_SVC_ATTR_PROTOCOL, static_cast<std::uint16_t>(key.protocol));
    b.bytes(IPVS_SVC_ATTR_ADDR, key.address.bytes.data(), key.address.bytes.size());
    b.be16(IPVS_SVC_ATTR_PORT, key.port);
}

void putServiceKeyNest(Builder& b, const ServiceKey& key) {
    nlattr* nest = b.nestStart(IPVS_CMD_ATTR_SERVICE);
    putServiceIdentity(b, key);
    b.nestEnd(nest);
}

// A full service entry (NEW/SET need scheduler, flags, timeout and netmask).
Status putService(Builder& b, const Service& s) {
    if (auto st = checkName(s.scheduler, "scheduler name"); !st) return st;
    if (auto st = checkName(s.persistenceEngine, "persistence engine name"); !st) return st;
    nlattr* nest = b.nestStart(IPVS_CMD_ATTR_SERVICE);
    putServiceIdentity(b, s.key);
    b.strz(IPVS_SVC_ATTR_SCHED_NAME, s.scheduler);
    // An absent PE_NAME removes the engine on SET_SERVICE (usvc->pe_name = NULL).
    if (!s.persistenceEngine.empty()) b.strz(IPVS_SVC_ATTR_PE_NAME, s.persistenceEngine);
    // The kernel computes (old & ~mask) | (flags & mask). IP_VS_SVC_F_HASHED is its own bookkeeping: left
    // out of the mask, so it is never set by a request nor cleared from an existing service.
    ip_vs_flags flags{};
    flags.flags = s.flags & ~serviceflag::kHashed;
    flags.mask = ~serviceflag::kHashed;
    b.bytes(IPVS_SVC_ATTR_FLAGS, &flags, sizeof flags);
    b.u32(IPVS_SVC_ATTR_TIMEOUT, s.timeout);
    // IPv4: the mask as a __be32; IPv6: the prefix length as a plain number (both read with nla_get_be32).
    b.u32(IPVS_SVC_ATTR_NETMASK, s.key.family == Family::Inet6 ? s.netmask : htonl(s.netmask));
    b.nestEnd(nest);
    return Ok{};
}

void putDestIdentity(Builder& b, const DestKey& key) {
    b.u16(IPVS_DEST_ATTR_ADDR_FAMILY, static_cast<std::uint16_t>(key.address.family));
    b.bytes(IPVS_DEST_ATTR_ADDR, key.address.bytes.data(), key.address.bytes.size());
    b.be16(IPVS_DEST_ATTR_PORT, key.port);
}

// A full destination (NEW/SET need forwarding method, weight and both thresholds); the tunnel
// attributes are optional for the kernel but always sent, so a SET replaces them as well.
void putDest(Builder& b, const Dest& d) {
    nlattr* nest = b.nestStart(IPVS_CMD_ATTR_DEST);
    putDestIdentity(b, d.key);
    b.u32(IPVS_DEST_ATTR_FWD_METHOD, static_cast<std::uint32_t>(d.forward) & IP_VS_CONN_F_FWD_MASK);
    b.u32(IPVS_DEST_ATTR_WEIGHT, static_cast<std::uint32_t>(d.weight));
    b.u32(IPVS_DEST_ATTR_U_THRESH, d.upperThreshold);
    b.u32(IPVS_DEST_ATTR_L_THRESH, d.lowerThreshold);
    b.u8(IPVS_DEST_ATTR_TUN_TYPE, static_cast<std::uint8_t>(d.tunnelType));
    b.be16(IPVS_DEST_ATTR_TUN_PORT, d.tunnelPort);
    b.u16(IPVS_DEST_ATTR_TUN_FLAGS, d.tunnelFlags);
    b.nestEnd(nest);
}

Status putDaemon(Builder& b, const SyncDaemon& d) {
    if (auto st = checkName(d.interface, "interface name"); !st) return st;
    nlattr* nest = b.nestStart(IPVS_CMD_ATTR_DAEMON);
    b.u32(IPVS_DAEMON_ATTR_STATE, static_cast<std::uint32_t>(d.state));
    b.strz(IPVS_DAEMON_ATTR_MCAST_IFN, d.interface);
    b.u32(IPVS_DAEMON_ATTR_SYNC_ID, d.syncId);
    // Absent optional attributes let the kernel pick its defaults.
    if (d.maxLength != 0) b.u16(IPVS_DAEMON_ATTR_SYNC_MAXLEN, d.maxLength);
    if (d.group) {
        if (d.group->isV6()) {
            b.bytes(IPVS_DAEMON_ATTR_MCAST_GROUP6, d.group->bytes.data(), 16);
        } else {
            b.bytes(IPVS_DAEMON_ATTR_MCAST_GROUP, d.group->bytes.data(), 4);  // struct in_addr
        }
    }
    // Host byte order, whatever the kernel's nla_get_be16() suggests: the value goes through htons() when
    // the sync socket's address is built (get_mcast_sockaddr), and ipvsadm sends it the same way.
    if (d.port != 0) b.u16(IPVS_DAEMON_ATTR_MCAST_PORT, d.port);
    if (d.ttl != 0) b.u8(IPVS_DAEMON_ATTR_MCAST_TTL, d.ttl);
    b.nestEnd(nest);
    return Ok{};
}

constexpr std::uint16_t kOpFlags = NLM_F_REQUEST | NLM_F_ACK;

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

std::uint8_t commandOf(const IpvsOp& op) {
    return std::visit(Overloaded{
                          [](const AddService&) { return std::uint8_t{IPVS_CMD_NEW_SERVICE}; },
                          [](const EditService&) { return std::uint8_t{IPVS_CMD_SET_SERVICE}; },
                          [](const DelService&) { return std::uint8_t{IPVS_CMD_DEL_SERVICE}; },
                          [](const AddDest&) { return std::uint8_t{IPVS_CMD_NEW_DEST}; },
                          [](const EditDest&) { return std::uint8_t{IPVS_CMD_SET_DEST}; },
                          [](const DelDest&) { return std::uint8_t{IPVS_CMD_DEL_DEST}; },
                          [](const ZeroCounters&) { return std::uint8_t{IPVS_CMD_ZERO}; },
                          [](const Flush&) { return std::uint8_t{IPVS_CMD_FLUSH}; },
                          [](const SetTimeouts&) { return std::uint8_t{IPVS_CMD_SET_CONFIG}; },
                          [](const StartDaemon&) { return std::uint8_t{IPVS_CMD_NEW_DAEMON}; },
                          [](const StopDaemon&) { return std::uint8_t{IPVS_CMD_DEL_DAEMON}; },
                      },
                      op);
}

}  // namespace

Status encodeOp(MessageBatch& out, const IpvsOp& op, const MessageHeader& header) {
    const auto flags = header.ack ? kOpFlags : static_cast<std::uint16_t>(NLM_F_REQUEST);
    Builder b(out, header.familyId, flags, header.seq, header.portId, commandOf(op), kFamilyVersion);
    Status attrs = std::visit(Overloaded{
                                  [&](const AddService& o) { return putService(b, o.service); },
                                  [&](const EditService& o) { return putService(b, o.service); },
                                  [&](const DelService& o) -> Status {
                                      putServiceKeyNest(b, o.key);
                                      return Ok{};
                                  },
                                  [&](const AddDest& o) -> Status {
                                      putServiceKeyNest(b, o.service);
                                      putDest(b, o.dest);
                                      return Ok{};
                                  },
                                  [&](const EditDest& o) -> Status {
                                      putServiceKeyNest(b, o.service);
                                      putDest(b, o.dest);
                                      return Ok{};
                                  },
                                  [&](const DelDest& o) -> Status {
                                      putServiceKeyNest(b, o.service);
                                      nlattr* nest = b.nestStart(IPVS_CMD_ATTR_DEST);
                                      putDestIdentity(b, o.dest);
                                      b.nestEnd(nest);
                                      return Ok{};
                                  },
                                  [&](const ZeroCounters& o) -> Status {
                                      if (o.service)
                                          putServiceKeyNest(b, *o.service);  // none: ip_vs_zero_all()
                                      return Ok{};
                                  },
                                  [&](const Flush&) -> Status { return Ok{}; },
                                  [&](const SetTimeouts& o) -> Status {
                                      b.u32(IPVS_CMD_ATTR_TIMEOUT_TCP, o.timeouts.tcp);
                                      b.u32(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, o.timeouts.tcpFin);
                                      b.u32(IPVS_CMD_ATTR_TIMEOUT_UDP, o.timeouts.udp);
                                      return Ok{};
                                  },
                                  [&](const StartDaemon& o) { return putDaemon(b, o.daemon); },
                                  [&](const StopDaemon& o) -> Status {
                                      nlattr* nest = b.nestStart(IPVS_CMD_ATTR_DAEMON);
                                      b.u32(IPVS_DAEMON_ATTR_STATE, static_cast<std::uint32_t>(o.state));
                                      b.nestEnd(nest);
                                      return Ok{};
                                  },
                              },
                              op);
    if (!attrs) {
        b.abandon();
        Error e = attrs.error();
        e.operation = std::string{operationName(op)};
        return e;
    }
    return b.finish();
}

bool isDump(const Query& query) {
    return std::holds_alternative<DumpServices>(query) || std::holds_alternative<DumpDests>(query) ||
           std::holds_alternative<DumpDaemons>(query);
}

std::string_view operationName(const Query& query) {
    return std::visit(Overloaded{
                          [](const GetService&) { return std::string_view{"get service"}; },
                          [](const DumpServices&) { return std::string_view{"list services"}; },
                          [](const DumpDests&) { return std::string_view{"list destinations"}; },
                          [](const GetInfo&) { return std::string_view{"get info"}; },
                          [](const GetTimeouts&) { return std::string_view{"get timeouts"}; },
                          [](const DumpDaemons&) { return std::string_view{"list sync daemons"}; },
                      },
                      query);
}

Status encodeQuery(MessageBatch& out, const Query& query, const MessageHeader& header) {
    std::uint16_t flags = NLM_F_REQUEST | (isDump(query) ? NLM_F_DUMP : 0);
    std::uint8_t cmd = std::visit(Overloaded{
                                      [](const GetService&) { return std::uint8_t{IPVS_CMD_GET_SERVICE}; },
                                      [](const DumpServices&) { return std::uint8_t{IPVS_CMD_GET_SERVICE}; },
                                      [](const DumpDests&) { return std::uint8_t{IPVS_CMD_GET_DEST}; },
                                      [](const GetInfo&) { return std::uint8_t{IPVS_CMD_GET_INFO}; },
                                      [](const GetTimeouts&) { return std::uint8_t{IPVS_CMD_GET_CONFIG}; },
                                      [](const DumpDaemons&) { return std::uint8_t{IPVS_CMD_GET_DAEMON}; },
                                  },
                                  query);
    Builder b(out, header.familyId, flags, header.seq, header.portId, cmd, kFamilyVersion);
    if (const auto* get = std::get_if<GetService>(&query)) putServiceKeyNest(b, get->key);
    if (const auto* dests = std::get_if<DumpDests>(&query)) putServiceKeyNest(b, dests->service);
    return b.finish();
}

Status encodeGetFamily(MessageBatch& out, std::string_view familyName, std::uint32_t seq) {
    std::string name(familyName);
    if (name.size() >= GENL_NAMSIZ) return encodeError("family name \"" + name + "\" too long");
    // nlctrl answers version-1 requests; its own family version is 2.
    Builder b(out, GENL_ID_CTRL, NLM_F_REQUEST, seq, 0, CTRL_CMD_GETFAMILY, 1);
    b.strz(CTRL_ATTR_FAMILY_NAME, name);
    return b.finish();
}

}  // namespace ipvsd::ipvs::codec
