// bfd_instance blocks: keepalived's BFD sessions (RFC 5880), which vrrp_instance track_bfd and BFD_CHECK
// refer to by name. ipvsd does not run BFD yet: the block is reported once as not acted on, its keywords are
// typed and validated the way keepalived 2.2.7 does under -t (bfd_parser.c: names of at most 31
// characters, intervals in milliseconds with 3 decimals, a neighbor per instance, unique neighbors).
#include "conf/fields.h"
#include "conf/tables/tables.h"
#include "conf/tables/vrrp_parse.h"

#include <fmt/format.h>

namespace ipvsd::conf {

namespace {

using K = Keyword<BfdInstance>;

constexpr std::size_t kMaxNameLength = 31;
constexpr std::uint64_t kMsMax = 4'294'967'000;  // keepalived keeps intervals in 32-bit microseconds

std::string formatMs(std::uint64_t us) {
    std::string s = fmt::format("{}.{:03}", us / 1000, us % 1000);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
}

K address(std::string_view name, std::optional<IpAddress> BfdInstance::*member, Location BfdInstance::*where,
          std::string_view what, std::string_view alias = {}) {
    K k{.name = name, .minArgs = 1, .maxArgs = 1, .alias = alias};
    k.bind = [member, where, what](BfdInstance& b, const Statement& s, BindContext& ctx) {
        auto a = IpAddress::parse(s.arg(0));
        b.*where = s.where;
        if (!a) {
            ctx.error(fmt::format("Configuration error: BFD instance {} has malformed {} address {}, ignoring{}", b.name,
                                  what, s.arg(0), what == "neighbor" ? " instance" : ""));
            b.*member = std::nullopt;
            return;
        }
        b.*member = *a;
    };
    if (alias.empty())
        k.dump = [member, name](const BfdInstance& b, ConfigWriter& out) {
            if (b.*member) out.statement({std::string(name), (b.*member)->toString()});
        };
    return k;
}

// min_rx / min_tx / idle_tx: milliseconds with up to 3 decimals, stored in microseconds.
K interval(std::string_view name, std::optional<std::uint64_t> BfdInstance::*member, std::uint64_t loMs) {
    K k{.name = name, .minArgs = 1, .maxArgs = 1};
    k.bind = [member, name, loMs](BfdInstance& b, const Statement& s, BindContext& ctx) {
        if (auto v = ctx.readFixed(s.arg(0), 3, loMs * 1000, kMsMax))
            b.*member = *v;
        else
            ctx.error(fmt::format("Configuration error: BFD instance {} {} value {} is not valid (must be in range "
                                  "[{}-{}]), ignoring",
                                  b.name, name, s.arg(0), loMs, kMsMax / 1000));
    };
    k.dump = [member, name](const BfdInstance& b, ConfigWriter& out) {
        if (b.*member) out.statement({std::string(name), formatMs(*(b.*member))});
    };
    return k;
}

K multiplier() {
    K k{.name = "multiplier", .minArgs = 1, .maxArgs = 1};
    k.bind = [](BfdInstance& b, const Statement& s, BindContext& ctx) {
        if (auto v = ctx.readUnsigned(s.arg(0), 1, 255))
            b.multiplier = static_cast<std::uint8_t>(*v);
        else
            ctx.error(fmt::format("Configuration error: BFD instance {} multiplier value {} not valid (must be in range "
                                  "[1-255]), ignoring",
                                  b.name, s.arg(0)));
    };
    k.dump = [](const BfdInstance& b, ConfigWriter& out) {
        if (b.multiplier) out.statement({"multiplier", std::to_string(*b.multiplier)});
    };
    return k;
}

// ttl (IPv4) and hoplimit (IPv6) set the same value; the dump writes the one for the neighbor's family.
K ttl(std::string_view name) {
    K k{.name = name, .minArgs = 1, .maxArgs = 1};
    k.bind = [](BfdInstance& b, const Statement& s, BindContext& ctx) {
        if (auto v = ctx.readUnsigned(s.arg(0), 1, 255))
            b.ttl = static_cast<std::uint8_t>(*v);
        else
            ctx.error(fmt::format("Configuration error: BFD instance {} ttl/hoplimit value {} not valid (must be in "
                                  "range [1-255]), ignoring",
                                  b.name, s.arg(0)));
    };
    if (name == "ttl")
        k.dump = [](const BfdInstance& b, ConfigWriter& out) {
            if (b.ttl) out.statement({b.neighbor && b.neighbor->isV6() ? "hoplimit" : "ttl", std::to_string(*b.ttl)});
        };
    return k;
}

K maxHops() {
    K k{.name = "max_hops", .minArgs = 1, .maxArgs = 1};
    k.bind = [](BfdInstance& b, const Statement& s, BindContext& ctx) {
        if (auto v = ctx.readInt(s.arg(0), -1, 255))
            b.maxHops = static_cast<std::int16_t>(*v);
        else
            ctx.error(fmt::format("Configuration error: BFD instance {} max_hops value {} not valid (must be in range "
                                  "[-1-255]), ignoring",
                                  b.name, s.arg(0)));
    };
    k.dump = [](const BfdInstance& b, ConfigWriter& out) {
        if (b.maxHops) out.statement({"max_hops", std::to_string(*b.maxHops)});
    };
    return k;
}

K weight() {
    K k{.name = "weight", .minArgs = 1, .maxArgs = 2};
    k.bind = [](BfdInstance& b, const Statement& s, BindContext& ctx) {
        auto v = ctx.readInt(s.arg(0), -253, 253);
        if (!v) {
            ctx.error(fmt::format("Configuration error: BFD instance {} weight value {} not valid (must be in range "
                                  "[-253-253]), ignoring",
                                  b.name, s.arg(0)));
            return;
        }
        b.weight = *v;
        b.weightReverse = false;
        if (s.argCount() > 1) {
            if (s.arg(1) == "reverse")
                b.weightReverse = true;
            else
                ctx.error(fmt::format("Configuration error: BFD instance {} unknown weight option {}", b.name, s.arg(1)));
        }
    };
    k.dump = [](const BfdInstance& b, ConfigWriter& out) {
        if (!b.weight) return;
        std::vector<std::string> words{"weight", std::to_string(*b.weight)};
        if (b.weightReverse) words.push_back("reverse");
        out.statement(words);
    };
    return k;
}

K flag(std::string_view name, bool BfdInstance::*member) {
    K k = fields::flag<BfdInstance>(name, member);
    k.maxArgs = kAnyArgs;  // keepalived ignores anything after these
    return k;
}

const Table<BfdInstance>& bfdTable() {
    static const Table<BfdInstance> table(
        "bfd_instance",
        [] {
            std::vector<K> rows;
            rows.push_back(address("neighbor_ip", &BfdInstance::neighbor, &BfdInstance::neighborWhere, "neighbor"));
            rows.push_back(address("neighbour_ip", &BfdInstance::neighbor, &BfdInstance::neighborWhere, "neighbor",
                                   "neighbor_ip"));
            rows.push_back(address("source_ip", &BfdInstance::source, &BfdInstance::sourceWhere, "source"));
            rows.push_back(interval("min_rx", &BfdInstance::minRxUs, 1));
            rows.push_back(interval("min_tx", &BfdInstance::minTxUs, 1));
            rows.push_back(interval("idle_tx", &BfdInstance::idleTxUs, 1000));
            rows.push_back(multiplier());
            rows.push_back(flag("passive", &BfdInstance::passive));
            rows.push_back(ttl("ttl"));
            rows.push_back(ttl("hoplimit"));
            rows.push_back(maxHops());
            rows.push_back(weight());
            rows.push_back(flag("vrrp", &BfdInstance::notifyVrrp));
            rows.push_back(flag("checker", &BfdInstance::notifyChecker));
            return rows;
        }(),
        [](BfdInstance& b, BindContext& ctx) {
            if (!b.neighbor) {
                if (b.neighborWhere.line == 0)
                    ctx.error(fmt::format("Configuration error: BFD instance {} has no neighbor address set, disabling "
                                          "instance",
                                          b.name));
                return;
            }
            if (b.source && b.source->family != b.neighbor->family)
                ctx.error(fmt::format("Configuration error: BFD instance {} source address {} and neighbor address {} "
                                      "are not of the same family, disabling instance",
                                      b.name, b.source->toString(), b.neighbor->toString()));
        });
    return table;
}

Keyword<Config> bfdInstance() {
    Keyword<Config> k{.name = "bfd_instance", .maxArgs = kAnyArgs, .shape = Keyword<Config>::Shape::SubBlock,
                      .support = Support::Active};
    k.open = [](Config& c, const Statement& s, BindContext& ctx) -> std::unique_ptr<Binder> {
        if (s.argCount() == 0) {
            // keepalived 2.2.7 crashes on this (segmentation fault): the configuration is not usable.
            ctx.error("bfd_instance must have a name");
            return vrrp::skipBlockOf(bfdTable());
        }
        const std::string& name = s.arg(0);
        if (name.size() > kMaxNameLength) {
            ctx.error(fmt::format("Configuration error: BFD instance {} name too long (maximum length is {} characters) "
                                  "- ignoring",
                                  name, kMaxNameLength));
            return vrrp::skipBlockOf(bfdTable());
        }
        for (const auto& b : c.bfd.instances)
            if (b.name == name) {
                ctx.error(fmt::format("Configuration error: BFD instance {} already configured - ignoring", name));
                return vrrp::skipBlockOf(bfdTable());
            }
        BfdInstance& b = c.bfd.instances.emplace_back();
        b.where = s.where;
        b.name = name;
        return std::make_unique<TableBinder<BfdInstance>>(b, bfdTable());
    };
    k.dump = [](const Config& c, ConfigWriter& out) {
        for (const auto& b : c.bfd.instances) {
            out.beginBlock({"bfd_instance", b.name});
            bfdTable().dump(b, out);
            out.endBlock();
        }
    };
    return k;
}

}  // namespace

void addBfdRootKeywords(std::vector<Keyword<Config>>& rows) { rows.push_back(bfdInstance()); }

// keepalived refuses a second instance with the neighbor of an earlier one (whatever their sources).
void validateBfd(Config& config, const ParseOptions&, Diagnostics& diag) {
    const auto& list = config.bfd.instances;
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (!list[i].neighbor) continue;
        for (std::size_t j = 0; j < i; ++j)
            if (list[j].neighbor == list[i].neighbor) {
                diag.error(list[i].neighborWhere,
                           fmt::format("Configuration error: BFD instance {} has duplicate neighbor address {}, ignoring "
                                       "instance",
                                       list[i].name, list[i].neighbor->toString()));
                break;
            }
    }
}

}  // namespace ipvsd::conf
