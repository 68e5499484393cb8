// Replies of the IPVS generic-netlink family, decoded with libmnl and validated field by field: every
// attribute must lie inside its parent, fixed-size attributes must have their exact size (what the
// kernel's nla_put_* emit), strings must be NUL-terminated and fit the kernel's 16-byte arrays. Unknown
// attributes are ignored (newer kernels add some); missing mandatory ones are errors.
#include "ipvs/codec.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>

#include <climits>
#include <cstring>

namespace ipvsd::ipvs::codec {

namespace {
// NLMSG_ALIGN / NLA_ALIGN without the int arithmetic of the macros.
constexpr std::size_t align4(std::size_t n) {
    return (n + 3) & ~std::size_t{3};
}
}  // namespace

namespace {

Error protoError(std::string detail) {
    return Error{"decode reply", EPROTO, std::move(detail)};
}

// Attribute pointers by type, for types below N (later duplicates win, as with the kernel's nla_parse).
template <std::size_t N>
using AttrTable = std::array<const nlattr*, N>;

// Walks the attributes in [data, data + len). Each must be complete (mnl_attr_ok); only the padding of
// the last one may be missing; any other leftover byte is an error.
template <std::size_t N>
Status parseAttrs(const std::uint8_t* data, std::size_t len, AttrTable<N>& table, std::string_view where) {
    table.fill(nullptr);
    if (len > INT_MAX) return protoError(std::string{where} + ": attributes too long");
    std::size_t offset = 0;
    while (len - offset >= sizeof(nlattr)) {
        const auto* attr = reinterpret_cast<const nlattr*>(data + offset);
        if (!mnl_attr_ok(attr, static_cast<int>(len - offset))) {
            return protoError(std::string{where} + ": attribute at offset " + std::to_string(offset) +
                              " overruns its container");
        }
        std::uint16_t type = mnl_attr_get_type(attr);
        if (type < N) table[type] = attr;
        offset += align4(attr->nla_len);
        if (offset >= len) return Ok{};
    }
    if (offset != len)
        return protoError(std::string{where} + ": " + std::to_string(len - offset) + " stray bytes");
    return Ok{};
}

template <std::size_t N>
Status parseNested(const nlattr* nest, AttrTable<N>& table, std::string_view where) {
    return parseAttrs(static_cast<const std::uint8_t*>(mnl_attr_get_payload(nest)),
                      mnl_attr_get_payload_len(nest), table, where);
}

// Reads attribute payloads; the first problem is kept and later reads return zeros.
class Fields {
  public:
    explicit Fields(std::string_view where) : where_(where) {}

    bool require(const nlattr* attr, std::string_view name) {
        if (!attr) fail(std::string{name} + " missing");
        return attr != nullptr;
    }
    std::uint8_t u8(const nlattr* a, std::string_view name) {
        std::uint8_t v = 0;
        fixed(a, name, &v, sizeof v);
        return v;
    }
    std::uint16_t u16(const nlattr* a, std::string_view name) {
        std::uint16_t v = 0;
        fixed(a, name, &v, sizeof v);
        return v;
    }
    std::uint16_t be16(const nlattr* a, std::string_view name) { return ntohs(u16(a, name)); }
    std::uint32_t u32(const nlattr* a, std::string_view name) {
        std::uint32_t v = 0;
        fixed(a, name, &v, sizeof v);
        return v;
    }
    // Stats counters: u32 in IPVS_*_ATTR_STATS (except the byte counters), u64 in STATS64.
    std::uint64_t counter(const nlattr* a, std::string_view name) {
        if (!a || !ok()) return 0;
        std::uint16_t len = mnl_attr_get_payload_len(a);
        if (len == sizeof(std::uint32_t)) return u32(a, name);
        std::uint64_t v = 0;
        fixed(a, name, &v, sizeof v);
        return v;
    }
    void fixed(const nlattr* a, std::string_view name, void* out, std::size_t size) {
        if (!a || !ok()) return;
        std::uint16_t len = mnl_attr_get_payload_len(a);
        if (len != size) {
            fail(std::string{name} + " has " + std::to_string(len) + " bytes, expected " +
                 std::to_string(size));
            return;
        }
        std::memcpy(out, mnl_attr_get_payload(a), size);
    }
    // A NUL-terminated string of at most maxChars characters before the NUL.
    std::string string(const nlattr* a, std::string_view name, std::size_t maxChars) {
        if (!a || !ok()) return {};
        const auto* p = static_cast<const char*>(mnl_attr_get_payload(a));
        std::size_t len = mnl_attr_get_payload_len(a);
        const void* nul = std::memchr(p, '\0', len);
        if (!nul) {
            fail(std::string{name} + " is not NUL-terminated");
            return {};
        }
        std::size_t chars = static_cast<std::size_t>(static_cast<const char*>(nul) - p);
        if (chars > maxChars) {
            fail(std::string{name} + " longer than " + std::to_string(maxChars) + " characters");
            return {};
        }
        return std::string(p, chars);
    }
    // An address of `family`: the kernel sends the 16-byte union nf_inet_addr (IPv4 in its first four
    // bytes); a bare in_addr/in6_addr is accepted too.
    Address address(const nlattr* a, std::string_view name, Family family) {
        Address addr = Address::any(family);
        if (!a || !ok()) return addr;
        std::size_t need = family == Family::Inet6 ? 16 : 4;
        std::size_t len = mnl_attr_get_payload_len(a);
        if (len != need && len != 16) {
            fail(std::string{name} + " has " + std::to_string(len) + " bytes");
            return addr;
        }
        std::memcpy(addr.bytes.data(), mnl_attr_get_payload(a), need);
        return addr;
    }
    Family family(const nlattr* a, std::string_view name) {
        std::uint16_t af = u16(a, name);
        if (ok() && af != static_cast<std::uint16_t>(Family::Inet) &&
            af != static_cast<std::uint16_t>(Family::Inet6)) {
            fail(std::string{name} + " is the unknown address family " + std::to_string(af));
        }
        return af == static_cast<std::uint16_t>(Family::Inet6) ? Family::Inet6 : Family::Inet;
    }

    void fail(std::string what) {
        if (ok()) error_ = std::string{where_} + ": " + what;
    }
    bool ok() const { return error_.empty(); }
    Status status() const { return ok() ? Status{Ok{}} : Status{protoError(error_)}; }

  private:
    std::string_view where_;
    std::string error_;
};

// The genetlink header and the top-level attributes of an IPVS message with command `cmd`.
template <std::size_t N>
Status openGenl(const MessageView& m, std::uint16_t familyId, std::uint8_t cmd, AttrTable<N>& top,
                std::string_view where) {
    if (m.type != familyId) {
        return protoError(std::string{where} + ": message type " + std::to_string(m.type) +
                          ", expected family " + std::to_string(familyId));
    }
    if (m.bytes.size() < NLMSG_HDRLEN + GENL_HDRLEN)
        return protoError(std::string{where} + ": no genetlink header");
    genlmsghdr genl{};
    std::memcpy(&genl, m.bytes.data() + NLMSG_HDRLEN, sizeof genl);
    if (genl.cmd != cmd) {
        return protoError(std::string{where} + ": command " + std::to_string(genl.cmd) + ", expected " +
                          std::to_string(cmd));
    }
    std::size_t offset = NLMSG_HDRLEN + GENL_HDRLEN;
    return parseAttrs(m.bytes.data() + offset, m.bytes.size() - offset, top, where);
}

Status decodeStats(const nlattr* nest, Stats& out, std::string_view where) {
    AttrTable<IPVS_STATS_ATTR_MAX + 1> a;
    if (auto st = parseNested(nest, a, where); !st) return st;
    Fields f(where);
    out.conns = f.counter(a[IPVS_STATS_ATTR_CONNS], "CONNS");
    out.inPkts = f.counter(a[IPVS_STATS_ATTR_INPKTS], "INPKTS");
    out.outPkts = f.counter(a[IPVS_STATS_ATTR_OUTPKTS], "OUTPKTS");
    out.inBytes = f.counter(a[IPVS_STATS_ATTR_INBYTES], "INBYTES");
    out.outBytes = f.counter(a[IPVS_STATS_ATTR_OUTBYTES], "OUTBYTES");
    out.cps = f.counter(a[IPVS_STATS_ATTR_CPS], "CPS");
    out.inPps = f.counter(a[IPVS_STATS_ATTR_INPPS], "INPPS");
    out.outPps = f.counter(a[IPVS_STATS_ATTR_OUTPPS], "OUTPPS");
    out.inBps = f.counter(a[IPVS_STATS_ATTR_INBPS], "INBPS");
    out.outBps = f.counter(a[IPVS_STATS_ATTR_OUTBPS], "OUTBPS");
    return f.status();
}

// STATS64 when present (6.1 sends both), else the 32-bit nest; both are validated.
Status decodeEitherStats(const nlattr* stats32, const nlattr* stats64, Stats& out, std::string_view where) {
    Stats s32;
    if (stats32) {
        if (auto st = decodeStats(stats32, s32, std::string{where} + " stats"); !st) return st;
    }
    if (stats64) return decodeStats(stats64, out, std::string{where} + " stats64");
    out = s32;
    return Ok{};
}

}  // namespace

Result<std::vector<MessageView>> splitMessages(std::span<const std::uint8_t> buffer) {
    if (reinterpret_cast<std::uintptr_t>(buffer.data()) % NLMSG_ALIGNTO != 0) {
        return Error{"decode reply", EINVAL, "buffer not 4-byte aligned"};
    }
    if (buffer.size() > INT_MAX) return protoError("buffer too large");
    std::vector<MessageView> out;
    std::size_t offset = 0;
    while (offset < buffer.size()) {
        std::size_t left = buffer.size() - offset;
        const auto* nlh = reinterpret_cast<const nlmsghdr*>(buffer.data() + offset);
        // mnl_nlmsg_ok() compares (int)nlmsg_len: a length of 2^31 or more passes it, so check it here too.
        if (left < sizeof(nlmsghdr) || nlh->nlmsg_len > left || !mnl_nlmsg_ok(nlh, static_cast<int>(left))) {
            return protoError("message at offset " + std::to_string(offset) + " is truncated (" +
                              std::to_string(left) + " bytes left)");
        }
        out.push_back(MessageView{nlh->nlmsg_type, nlh->nlmsg_flags, nlh->nlmsg_seq, nlh->nlmsg_pid,
                                  buffer.subspan(offset, nlh->nlmsg_len)});
        offset += align4(nlh->nlmsg_len);  // past the end only by the last message's missing padding
    }
    return out;
}

Result<Ack> decodeAck(const MessageView& m) {
    if (m.type != NLMSG_ERROR) return protoError("expected NLMSG_ERROR, got type " + std::to_string(m.type));
    constexpr std::size_t kErrStart = NLMSG_HDRLEN;
    if (m.bytes.size() < kErrStart + sizeof(nlmsgerr)) return protoError("NLMSG_ERROR too short");
    nlmsgerr err{};
    std::memcpy(&err, m.bytes.data() + kErrStart, sizeof err);
    if (err.error > 0 || err.error < -4095)
        return protoError("NLMSG_ERROR with error " + std::to_string(err.error));
    Ack ack{m.seq, -err.error, {}};
    if (!(m.flags & NLM_F_ACK_TLVS)) return ack;
    // Extended ack TLVs follow the echoed request: its header only when capped (NETLINK_CAP_ACK).
    std::size_t tlvStart = kErrStart + sizeof(nlmsgerr);
    if (!(m.flags & NLM_F_CAPPED)) {
        if (err.msg.nlmsg_len < NLMSG_HDRLEN) return protoError("NLMSG_ERROR echoes a bad header");
        tlvStart += align4(err.msg.nlmsg_len - NLMSG_HDRLEN);
    }
    if (tlvStart > m.bytes.size()) return protoError("NLMSG_ERROR shorter than the request it echoes");
    AttrTable<NLMSGERR_ATTR_MAX + 1> a;
    if (auto st = parseAttrs(m.bytes.data() + tlvStart, m.bytes.size() - tlvStart, a, "extended ack"); !st) {
        return st.error();
    }
    Fields f("extended ack");
    ack.message = f.string(a[NLMSGERR_ATTR_MSG], "NLMSGERR_ATTR_MSG", 4096);
    if (!f.ok()) return f.status().error();
    return ack;
}

Result<FamilyInfo> decodeFamily(const MessageView& m) {
    AttrTable<CTRL_ATTR_MAX + 1> a;
    if (auto st = openGenl(m, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, a, "family"); !st) return st.error();
    Fields f("family");
    FamilyInfo info;
    if (f.require(a[CTRL_ATTR_FAMILY_ID], "CTRL_ATTR_FAMILY_ID"))
        info.id = f.u16(a[CTRL_ATTR_FAMILY_ID], "CTRL_ATTR_FAMILY_ID");
    info.name = f.string(a[CTRL_ATTR_FAMILY_NAME], "CTRL_ATTR_FAMILY_NAME", GENL_NAMSIZ - 1);
    info.version = f.u32(a[CTRL_ATTR_VERSION], "CTRL_ATTR_VERSION");
    if (f.ok() && info.id < NLMSG_MIN_TYPE) f.fail("family id " + std::to_string(info.id) + " is reserved");
    if (!f.ok()) return f.status().error();
    return info;
}

Result<ServiceEntry> decodeService(const MessageView& m, std::uint16_t familyId) {
    AttrTable<IPVS_CMD_ATTR_MAX + 1> top;
    if (auto st = openGenl(m, familyId, IPVS_CMD_NEW_SERVICE, top, "service"); !st) return st.error();
    if (!top[IPVS_CMD_ATTR_SERVICE]) return protoError("service: IPVS_CMD_ATTR_SERVICE missing");
    AttrTable<IPVS_SVC_ATTR_MAX + 1> a;
    if (auto st = parseNested(top[IPVS_CMD_ATTR_SERVICE], a, "service"); !st) return st.error();

    Fields f("service");
    ServiceEntry entry;
    Service& s = entry.service;
    f.require(a[IPVS_SVC_ATTR_AF], "IPVS_SVC_ATTR_AF");
    Family af = f.family(a[IPVS_SVC_ATTR_AF], "IPVS_SVC_ATTR_AF");
    // The kernel reports either the fwmark or protocol + address + port (ip_vs_genl_fill_service).
    std::uint32_t fwmark = f.u32(a[IPVS_SVC_ATTR_FWMARK], "IPVS_SVC_ATTR_FWMARK");
    if (fwmark != 0) {
        s.key = ServiceKey::forFwmark(af, fwmark);
    } else if (f.require(a[IPVS_SVC_ATTR_PROTOCOL], "IPVS_SVC_ATTR_PROTOCOL") &&
               f.require(a[IPVS_SVC_ATTR_ADDR], "IPVS_SVC_ATTR_ADDR") &&
               f.require(a[IPVS_SVC_ATTR_PORT], "IPVS_SVC_ATTR_PORT")) {
        auto protocol = static_cast<Protocol>(f.u16(a[IPVS_SVC_ATTR_PROTOCOL], "IPVS_SVC_ATTR_PROTOCOL"));
        Address addr = f.address(a[IPVS_SVC_ATTR_ADDR], "IPVS_SVC_ATTR_ADDR", af);
        s.key = ServiceKey::forAddress(protocol, addr, f.be16(a[IPVS_SVC_ATTR_PORT], "IPVS_SVC_ATTR_PORT"));
    }
    f.require(a[IPVS_SVC_ATTR_SCHED_NAME], "IPVS_SVC_ATTR_SCHED_NAME");
    s.scheduler =
        f.string(a[IPVS_SVC_ATTR_SCHED_NAME], "IPVS_SVC_ATTR_SCHED_NAME", IP_VS_SCHEDNAME_MAXLEN - 1);
    s.persistenceEngine =
        f.string(a[IPVS_SVC_ATTR_PE_NAME], "IPVS_SVC_ATTR_PE_NAME", IP_VS_PENAME_MAXLEN - 1);
    f.require(a[IPVS_SVC_ATTR_FLAGS], "IPVS_SVC_ATTR_FLAGS");
    ip_vs_flags flags{};
    f.fixed(a[IPVS_SVC_ATTR_FLAGS], "IPVS_SVC_ATTR_FLAGS", &flags, sizeof flags);
    s.flags = flags.flags & ~serviceflag::kHashed;  // set on every service in the table
    f.require(a[IPVS_SVC_ATTR_TIMEOUT], "IPVS_SVC_ATTR_TIMEOUT");
    s.timeout = f.u32(a[IPVS_SVC_ATTR_TIMEOUT], "IPVS_SVC_ATTR_TIMEOUT");
    f.require(a[IPVS_SVC_ATTR_NETMASK], "IPVS_SVC_ATTR_NETMASK");
    std::uint32_t netmask = f.u32(a[IPVS_SVC_ATTR_NETMASK], "IPVS_SVC_ATTR_NETMASK");
    s.netmask = af == Family::Inet6 ? netmask : ntohl(netmask);
    if (!f.ok()) return f.status().error();
    if (auto st = decodeEitherStats(a[IPVS_SVC_ATTR_STATS], a[IPVS_SVC_ATTR_STATS64], entry.stats, "service");
        !st) {
        return st.error();
    }
    return entry;
}

Result<DestEntry> decodeDest(const MessageView& m, std::uint16_t familyId, Family serviceFamily) {
    AttrTable<IPVS_CMD_ATTR_MAX + 1> top;
    if (auto st = openGenl(m, familyId, IPVS_CMD_NEW_DEST, top, "destination"); !st) return st.error();
    if (!top[IPVS_CMD_ATTR_DEST]) return protoError("destination: IPVS_CMD_ATTR_DEST missing");
    AttrTable<IPVS_DEST_ATTR_MAX + 1> a;
    if (auto st = parseNested(top[IPVS_CMD_ATTR_DEST], a, "destination"); !st) return st.error();

    Fields f("destination");
    DestEntry entry;
    Dest& d = entry.dest;
    Family af = a[IPVS_DEST_ATTR_ADDR_FAMILY]
                    ? f.family(a[IPVS_DEST_ATTR_ADDR_FAMILY], "IPVS_DEST_ATTR_ADDR_FAMILY")
                    : serviceFamily;
    f.require(a[IPVS_DEST_ATTR_ADDR], "IPVS_DEST_ATTR_ADDR");
    d.key.address = f.address(a[IPVS_DEST_ATTR_ADDR], "IPVS_DEST_ATTR_ADDR", af);
    f.require(a[IPVS_DEST_ATTR_PORT], "IPVS_DEST_ATTR_PORT");
    d.key.port = f.be16(a[IPVS_DEST_ATTR_PORT], "IPVS_DEST_ATTR_PORT");
    f.require(a[IPVS_DEST_ATTR_FWD_METHOD], "IPVS_DEST_ATTR_FWD_METHOD");
    d.forward = static_cast<ForwardMethod>(f.u32(a[IPVS_DEST_ATTR_FWD_METHOD], "IPVS_DEST_ATTR_FWD_METHOD") &
                                           IP_VS_CONN_F_FWD_MASK);
    f.require(a[IPVS_DEST_ATTR_WEIGHT], "IPVS_DEST_ATTR_WEIGHT");
    d.weight = static_cast<std::int32_t>(f.u32(a[IPVS_DEST_ATTR_WEIGHT], "IPVS_DEST_ATTR_WEIGHT"));
    f.require(a[IPVS_DEST_ATTR_U_THRESH], "IPVS_DEST_ATTR_U_THRESH");
    d.upperThreshold = f.u32(a[IPVS_DEST_ATTR_U_THRESH], "IPVS_DEST_ATTR_U_THRESH");
    f.require(a[IPVS_DEST_ATTR_L_THRESH], "IPVS_DEST_ATTR_L_THRESH");
    d.lowerThreshold = f.u32(a[IPVS_DEST_ATTR_L_THRESH], "IPVS_DEST_ATTR_L_THRESH");
    // Kept as given: 6.1 stores any tunnel type and forwarding method a request carried.
    d.tunnelType = static_cast<TunnelType>(f.u8(a[IPVS_DEST_ATTR_TUN_TYPE], "IPVS_DEST_ATTR_TUN_TYPE"));
    d.tunnelPort = f.be16(a[IPVS_DEST_ATTR_TUN_PORT], "IPVS_DEST_ATTR_TUN_PORT");
    d.tunnelFlags = f.u16(a[IPVS_DEST_ATTR_TUN_FLAGS], "IPVS_DEST_ATTR_TUN_FLAGS");
    entry.activeConns = f.u32(a[IPVS_DEST_ATTR_ACTIVE_CONNS], "IPVS_DEST_ATTR_ACTIVE_CONNS");
    entry.inactiveConns = f.u32(a[IPVS_DEST_ATTR_INACT_CONNS], "IPVS_DEST_ATTR_INACT_CONNS");
    entry.persistentConns = f.u32(a[IPVS_DEST_ATTR_PERSIST_CONNS], "IPVS_DEST_ATTR_PERSIST_CONNS");
    if (!f.ok()) return f.status().error();
    if (auto st =
            decodeEitherStats(a[IPVS_DEST_ATTR_STATS], a[IPVS_DEST_ATTR_STATS64], entry.stats, "destination");
        !st) {
        return st.error();
    }
    return entry;
}

Result<SyncDaemon> decodeDaemon(const MessageView& m, std::uint16_t familyId) {
    AttrTable<IPVS_CMD_ATTR_MAX + 1> top;
    if (auto st = openGenl(m, familyId, IPVS_CMD_NEW_DAEMON, top, "sync daemon"); !st) return st.error();
    if (!top[IPVS_CMD_ATTR_DAEMON]) return protoError("sync daemon: IPVS_CMD_ATTR_DAEMON missing");
    AttrTable<IPVS_DAEMON_ATTR_MAX + 1> a;
    if (auto st = parseNested(top[IPVS_CMD_ATTR_DAEMON], a, "sync daemon"); !st) return st.error();

    Fields f("sync daemon");
    SyncDaemon d;
    f.require(a[IPVS_DAEMON_ATTR_STATE], "IPVS_DAEMON_ATTR_STATE");
    std::uint32_t state = f.u32(a[IPVS_DAEMON_ATTR_STATE], "IPVS_DAEMON_ATTR_STATE");
    if (f.ok() && state != IP_VS_STATE_MASTER && state != IP_VS_STATE_BACKUP) {
        f.fail("unknown state " + std::to_string(state));
    }
    d.state = static_cast<SyncState>(state);
    f.require(a[IPVS_DAEMON_ATTR_MCAST_IFN], "IPVS_DAEMON_ATTR_MCAST_IFN");
    d.interface =
        f.string(a[IPVS_DAEMON_ATTR_MCAST_IFN], "IPVS_DAEMON_ATTR_MCAST_IFN", IP_VS_IFNAME_MAXLEN - 1);
    f.require(a[IPVS_DAEMON_ATTR_SYNC_ID], "IPVS_DAEMON_ATTR_SYNC_ID");
    d.syncId = f.u32(a[IPVS_DAEMON_ATTR_SYNC_ID], "IPVS_DAEMON_ATTR_SYNC_ID");
    d.maxLength = f.u16(a[IPVS_DAEMON_ATTR_SYNC_MAXLEN], "IPVS_DAEMON_ATTR_SYNC_MAXLEN");
    if (a[IPVS_DAEMON_ATTR_MCAST_GROUP6]) {
        d.group = f.address(a[IPVS_DAEMON_ATTR_MCAST_GROUP6], "IPVS_DAEMON_ATTR_MCAST_GROUP6", Family::Inet6);
    } else if (a[IPVS_DAEMON_ATTR_MCAST_GROUP]) {
        Address group = Address::any(Family::Inet);
        f.fixed(a[IPVS_DAEMON_ATTR_MCAST_GROUP], "IPVS_DAEMON_ATTR_MCAST_GROUP", group.bytes.data(), 4);
        d.group = group;
    }
    d.port =
        f.u16(a[IPVS_DAEMON_ATTR_MCAST_PORT], "IPVS_DAEMON_ATTR_MCAST_PORT");  // host order, see the encoder
    d.ttl = f.u8(a[IPVS_DAEMON_ATTR_MCAST_TTL], "IPVS_DAEMON_ATTR_MCAST_TTL");
    if (!f.ok()) return f.status().error();
    return d;
}

Result<Info> decodeInfo(const MessageView& m, std::uint16_t familyId) {
    AttrTable<IPVS_INFO_ATTR_MAX + 1> a;
    if (auto st = openGenl(m, familyId, IPVS_CMD_SET_INFO, a, "info"); !st) return st.error();
    Fields f("info");
    Info info;
    f.require(a[IPVS_INFO_ATTR_VERSION], "IPVS_INFO_ATTR_VERSION");
    info.version = f.u32(a[IPVS_INFO_ATTR_VERSION], "IPVS_INFO_ATTR_VERSION");
    f.require(a[IPVS_INFO_ATTR_CONN_TAB_SIZE], "IPVS_INFO_ATTR_CONN_TAB_SIZE");
    info.connTableSize = f.u32(a[IPVS_INFO_ATTR_CONN_TAB_SIZE], "IPVS_INFO_ATTR_CONN_TAB_SIZE");
    if (!f.ok()) return f.status().error();
    return info;
}

Result<Timeouts> decodeTimeouts(const MessageView& m, std::uint16_t familyId) {
    AttrTable<IPVS_CMD_ATTR_MAX + 1> a;
    if (auto st = openGenl(m, familyId, IPVS_CMD_SET_CONFIG, a, "timeouts"); !st) return st.error();
    // Each is present only if the kernel has that protocol (CONFIG_IP_VS_PROTO_TCP/UDP).
    Fields f("timeouts");
    Timeouts t;
    t.tcp = f.u32(a[IPVS_CMD_ATTR_TIMEOUT_TCP], "IPVS_CMD_ATTR_TIMEOUT_TCP");
    t.tcpFin = f.u32(a[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN], "IPVS_CMD_ATTR_TIMEOUT_TCP_FIN");
    t.udp = f.u32(a[IPVS_CMD_ATTR_TIMEOUT_UDP], "IPVS_CMD_ATTR_TIMEOUT_UDP");
    if (!f.ok()) return f.status().error();
    return t;
}

}  // namespace ipvsd::ipvs::codec
