// The vrrp_instance block. Facts: keepalived.conf(5) "VRRP instance(s)" and keepalived 2.2.7's `-t`
// behaviour, measured keyword by keyword (test/unit/data/vrrp); messages are keepalived's.
#include "conf/tables/vrrp_instance.h"

#include <array>
#include <cctype>

#include <fmt/format.h>

namespace ipvsd::conf::vrrp {

std::vector<std::string> virtualAddressWords(const VirtualAddress& a);

namespace inst {

using Shape = K::Shape;


K line(std::string_view name, std::uint8_t minArgs, std::uint8_t maxArgs, K::Bind bind, K::Dump dump) {
    K k{.name = name, .minArgs = minArgs, .maxArgs = maxArgs};
    k.bind = std::move(bind);
    k.dump = std::move(dump);
    return k;
}

K flag(std::string_view name, bool I::*member) {
    return line(name, 0, 0, [member](I& i, const Statement&, BindContext&) { i.*member = true; },
                [member, name](const I& i, ConfigWriter& out) {
                    if (i.*member) out.statement({std::string(name)});
                });
}

// `keyword N` read with read_unsigned(lo, hi); on failure keepalived adds its own message.
K unsignedValue(std::string_view name, std::optional<std::uint32_t> I::*member, std::uint32_t lo, std::uint32_t hi,
                std::string_view failure) {
    return line(
        name, 1, 1,
        [member, lo, hi, failure](I& i, const Statement& s, BindContext& ctx) {
            if (auto v = ctx.readUnsigned(s.arg(0), lo, hi))
                i.*member = *v;
            else
                ctx.error(fmt::format(fmt::runtime(failure), i.name, s.arg(0)));
        },
        [member, name](const I& i, ConfigWriter& out) {
            if (i.*member) out.statement({std::string(name), std::to_string(*(i.*member))});
        });
}

// garp_master_repeat / garp_master_refresh_repeat: 0 is accepted as 1 with a message (pre-2.0.7 configs).
K repeatValue(std::string_view name, std::optional<std::uint32_t> I::*member) {
    return line(
        name, 1, 1,
        [member, name](I& i, const Statement& s, BindContext& ctx) {
            auto v = ctx.readUnsigned(s.arg(0));
            if (!v) {
                ctx.adjusted(fmt::format("({}): {} '{}' invalid - ignoring", i.name, name, s.arg(0)));
                return;
            }
            if (*v == 0) {
                ctx.error(fmt::format("({}): {} must be greater than 0, setting to 1", i.name, name));
                v = 1;
            }
            i.*member = *v;
        },
        [member, name](const I& i, ConfigWriter& out) {
            if (i.*member) out.statement({std::string(name), std::to_string(*(i.*member))});
        });
}

// Sets the instance's family from the first address seen; false (and keepalived's message) on a mix.
bool adoptFamily(I& i, IpAddress::Family f) {
    if (!i.family) i.family = f;
    return *i.family == f;
}

K sourceAddress(std::string_view name) {
    return line(
        name, 1, 1,
        [name](I& i, const Statement& s, BindContext& ctx) {
            auto a = IpAddress::parse(std::string_view(s.arg(0)).substr(0, s.arg(0).find('/')));
            if (!a) {
                ctx.error(fmt::format("Configuration error: VRRP instance[{}] malformed src address[{}]. Skipping...",
                                      i.name, s.arg(0)));
                return;
            }
            if (!adoptFamily(i, a->family)) {
                ctx.error(fmt::format("Configuration error: VRRP instance[{}] and src address[{}] MUST be of the "
                                      "same family !!! Skipping...",
                                      i.name, s.arg(0)));
                i.sourceAddress.reset();
                return;
            }
            i.sourceAddress = *a;
            i.sourceKeyword = std::string(name);
        },
        [name](const I& i, ConfigWriter& out) {
            if (i.sourceAddress && i.sourceKeyword == name) out.statement({std::string(name), i.sourceAddress->toString()});
        });
}

K addressBlock(std::string_view name, std::vector<VirtualAddress> I::*list, bool checkFamily) {
    K k{.name = name, .maxArgs = kAnyArgs, .shape = Shape::ValueBlock};
    k.bind = [name](I&, const Statement& s, BindContext& ctx) {
        if (s.argCount() > 0) ctx.error(fmt::format("Block {} has extra parameters {} ...", name, s.arg(0)));
    };
    k.value = [list, checkFamily](I& i, const Statement& s, BindContext& ctx) {
        auto a = parseVirtualAddress(s, ctx);
        if (!a) return;
        if (checkFamily && !adoptFamily(i, a->address.address.family)) {
            ctx.adjusted(fmt::format("({}): address family must match VRRP instance [{}] - ignoring", i.name, s.words[0]));
            return;
        }
        (i.*list).push_back(std::move(*a));
    };
    k.dump = [list, name](const I& i, ConfigWriter& out) {
        if ((i.*list).empty()) return;
        out.beginBlock({std::string(name)});
        for (const auto& a : i.*list) out.value(virtualAddressWords(a));
        out.endBlock();
    };
    return k;
}

K routeBlock(std::string_view name, std::vector<RouteLine> I::*list,
             std::optional<RouteLine> (*parse)(const Statement&, BindContext&)) {
    K k{.name = name, .maxArgs = kAnyArgs, .shape = Shape::ValueBlock, .support = Support::Active};
    k.bind = [name](I&, const Statement& s, BindContext& ctx) {
        if (s.argCount() > 0) ctx.error(fmt::format("Block {} has extra parameters {} ...", name, s.arg(0)));
    };
    k.value = [list, parse](I& i, const Statement& s, BindContext& ctx) {
        if (auto r = parse(s, ctx)) (i.*list).push_back(std::move(*r));
    };
    k.dump = [list, name](const I& i, ConfigWriter& out) {
        if ((i.*list).empty()) return;
        out.beginBlock({std::string(name)});
        for (const auto& r : i.*list) out.value(r.words);
        out.endBlock();
    };
    return k;
}

K unicastPeers() {
    K k{.name = "unicast_peer", .maxArgs = kAnyArgs, .shape = Shape::ValueBlock};
    k.bind = [](I& i, const Statement& s, BindContext& ctx) {
        i.unicastPeerBlock = true;
        if (s.argCount() > 0) ctx.error(fmt::format("Block unicast_peer has extra parameters {} ...", s.arg(0)));
    };
    k.value = [](I& i, const Statement& s, BindContext& ctx) {
        auto peer = parseUnicastPeer(i.name, s, ctx);
        if (!peer) return;
        if (!adoptFamily(i, peer->address.family)) {
            ctx.error(fmt::format("Configuration error: VRRP instance[{}] and unicast peer address[{}] MUST be of the "
                                  "same family !!! Skipping...",
                                  i.name, s.words[0]));
            return;
        }
        i.unicastPeers.push_back(std::move(*peer));
    };
    k.dump = [](const I& i, ConfigWriter& out) {
        if (!i.unicastPeerBlock) return;
        out.beginBlock({"unicast_peer"});
        for (const auto& p : i.unicastPeers) out.value(unicastPeerWords(p));
        out.endBlock();
    };
    return k;
}

// Linux's dev_valid_name(): what a VMAC interface may be called.
bool validInterfaceName(std::string_view name) {
    if (name.empty() || name.size() >= 16 || name == "." || name == "..") return false;
    for (char c : name)
        if (c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
            return false;
    return true;
}

// A VMAC MAC address: 6 octets, or 5 with the VRID as the last (keepalived's use_vmac MAC syntax).
bool validMac(std::string_view text, std::array<unsigned, 6>& octets, std::size_t& count) {
    count = 0;
    std::size_t i = 0;
    while (i < text.size() && count < 6) {
        std::size_t start = i;
        unsigned v = 0;
        while (i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i])) && i - start < 3) {
            char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
            v = v * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : c - 'a' + 10);
            ++i;
        }
        if (i == start || i - start > 2) return false;
        octets[count++] = v;
        if (i < text.size()) {
            if (text[i] != ':') return false;
            ++i;
        }
    }
    return i == text.size() && (count == 6 || count == 5);
}

K useVmac() {
    return line(
        "use_vmac", 0, kAnyArgs,
        [](I& i, const Statement& s, BindContext& ctx) {
            i.useVmac = true;
            for (std::size_t n = 1; n < s.words.size(); ++n) {
                const std::string& w = s.words[n];
                i.useVmacArgs.push_back(w);
                if (w.find(':') != std::string::npos) {
                    if (i.vmacMacGiven) {
                        ctx.error("VMAC interface address already specified");
                        continue;
                    }
                    if (w.find_first_not_of("0123456789ABCDEFabcdef:") != std::string::npos) {
                        ctx.error(fmt::format("VMAC invalid MAC address {}", w));
                        continue;
                    }
                    std::array<unsigned, 6> o{};
                    std::size_t count = 0;
                    if (!validMac(w, o, count))
                        ctx.adjusted(fmt::format("VMAC invalid MAC address {} - ignored", w));
                    else if (o[0] & 1)
                        ctx.adjusted(fmt::format("VMAC MAC address is multicast {} - ignoring", w));
                    else if (o[0] == 0 && o[1] == 0 && o[2] == 0x5e && o[3] == 0 && (o[4] == 1 || o[4] == 2))
                        ctx.adjusted(fmt::format("VMAC MAC address not allowed to be RFC5798 address ({}) - ignoring", w));
                    else
                        i.vmacMacGiven = true;
                    continue;
                }
                if (i.vmacName) {
                    ctx.error("VMAC interface name already specified");
                    break;  // keepalived stops reading the line here
                }
                if (!validInterfaceName(w)) {
                    ctx.adjusted(fmt::format("VMAC interface name '{}' too long or invalid characters - ignoring", w));
                    continue;
                }
                i.vmacName = w;
            }
        },
        [](const I& i, ConfigWriter& out) {
            if (!i.useVmac) return;
            std::vector<std::string> words{"use_vmac"};
            for (const auto& w : i.useVmacArgs) words.push_back(w);
            out.statement(words);
        });
}

K useIpvlan() {
    return line(
        "use_ipvlan", 0, kAnyArgs,
        [](I& i, const Statement& s, BindContext& ctx) {
            if (i.useIpvlan) {
                ctx.error(fmt::format("({}) use_ipvlan already specified", i.name));
                return;
            }
            i.useIpvlan = true;
            bool haveType = false;
            bool haveName = false;
            for (std::size_t n = 1; n < s.words.size(); ++n) {
                const std::string& w = s.words[n];
                i.useIpvlanArgs.push_back(w);
                if (w == "bridge" || w == "private" || w == "vepa") {
                    if (haveType) ctx.adjusted(fmt::format("({}) ipvlan type already specified - ignoring '{}'", i.name, w));
                    haveType = true;
                } else if (auto p = IpPrefix::parse(w)) {
                    if (i.ipvlanAddressGiven) {
                        ctx.adjusted(fmt::format("({}) ipvlan address already specified - ignoring '{}'", i.name, w));
                    } else if (!adoptFamily(i, p->address.family)) {
                        ctx.error(fmt::format("({}) ipvlan address[{}] MUST match vrrp instance family !!! Skipping...",
                                              i.name, w));
                    } else {
                        i.ipvlanAddressGiven = true;
                    }
                } else if (haveName) {
                    ctx.adjusted(fmt::format("({}) IPVLAN interface already specified - ignoring '{}'", i.name, w));
                } else if (w.size() >= 16) {
                    ctx.adjusted(fmt::format("({}) IPVLAN interface name '{}' too long - ignoring", i.name, w));
                } else {
                    haveName = true;
                }
            }
        },
        [](const I& i, ConfigWriter& out) {
            if (!i.useIpvlan) return;
            std::vector<std::string> words{"use_ipvlan"};
            for (const auto& w : i.useIpvlanArgs) words.push_back(w);
            out.statement(words);
        });
}

K boolValue(std::string_view name, std::optional<bool> I::*member, std::string_view message) {
    return flagValue<I>(name, member, [message](const I& i, const std::string& w) {
        return fmt::format(fmt::runtime(message), i.name, w);
    });
}

}  // namespace inst

const Table<VrrpInstance>& instanceTable() {
    static const Table<VrrpInstance> table(
        "vrrp_instance",
        [] {
            auto rows = inst::identityRows();
            for (auto& k : inst::behaviourRows()) rows.push_back(std::move(k));
            return rows;
        }(),
        [](VrrpInstance& i, BindContext& ctx) {
            // keepalived's end-of-block checks (vrrp_end_handler).
            if (i.unicastTtl && i.unicastPeers.empty()) {
                ctx.adjusted(fmt::format("({}): Cannot use unicast_ttl without unicast peers - resetting", i.name));
                i.unicastTtl.reset();
            }
        });
    return table;
}

namespace inst {

std::vector<K> identityRows() {
    std::vector<K> rows;
    rows.push_back(useVmac());
    rows.push_back(flag("use_vmac_addr", &I::useVmacAddr));
    rows.push_back(flag("vmac_xmit_base", &I::vmacXmitBase));
    rows.push_back(useIpvlan());
    rows.push_back(unicastPeers());
    rows.push_back(flag("check_unicast_src", &I::checkUnicastSrc));
    rows.push_back(line(
        "old_unicast_checksum", 0, 1,
        [](I& i, const Statement& s, BindContext& ctx) {
            if (s.argCount() == 0)
                i.oldUnicastChecksum = "";
            else if (s.arg(0) == "never")
                i.oldUnicastChecksum = "never";
            else
                ctx.adjusted(fmt::format("({}) Unknown old_unicast_chksum mode {} - ignoring", i.name, s.arg(0)));
            // keepalived counts the keyword as unicast configuration even with a bad mode.
            if (!i.oldUnicastChecksum) i.oldUnicastChecksum = "?";
        },
        [](const I& i, ConfigWriter& out) {
            if (!i.oldUnicastChecksum) return;
            if (*i.oldUnicastChecksum == "never")
                out.statement({"old_unicast_checksum", "never"});
            else
                out.statement({"old_unicast_checksum"});
        }));
    rows.push_back(line(
        "native_ipv6", 0, 0,
        [](I& i, const Statement&, BindContext& ctx) {
            if (i.family == IpAddress::Family::V4) {
                ctx.error(fmt::format("({}) Cannot specify native_ipv6 with IPv4 addresses", i.name));
                return;
            }
            i.family = IpAddress::Family::V6;
            i.nativeIpv6 = true;
        },
        [](const I& i, ConfigWriter& out) {
            if (i.nativeIpv6) out.statement({"native_ipv6"});
        }));
    rows.push_back(line(
        "state", 1, 1,
        [](I& i, const Statement& s, BindContext& ctx) {
            if (s.arg(0) == "MASTER") {
                i.state = VrrpState::Master;
            } else if (s.arg(0) == "BACKUP") {
                if (i.state == VrrpState::Master)
                    ctx.adjusted(fmt::format("({}) state previously set as MASTER - ignoring BACKUP", i.name));
                else
                    i.state = VrrpState::Backup;
            } else {
                ctx.adjusted(fmt::format("({}) unknown state '{}', defaulting to BACKUP", i.name, s.arg(0)));
                i.state = VrrpState::Backup;
            }
        },
        [](const I& i, ConfigWriter& out) {
            if (i.state) out.statement({"state", *i.state == VrrpState::Master ? "MASTER" : "BACKUP"});
        }));
    rows.push_back(line(
        "interface", 1, 1,
        [](I& i, const Statement& s, BindContext& ctx) {
            const std::string& n = s.arg(0);
            if (n.size() >= 16) {
                ctx.adjusted(fmt::format("Interface name '{}' too long - ignoring", n));
                return;
            }
            // A loopback interface is refused by validateVrrp(), which knows the host's interface flags.
            i.interface = n;
            i.interfaceWhere = s.where;
        },
        [](const I& i, ConfigWriter& out) {
            if (i.interface) out.statement({"interface", *i.interface});
        }));
    rows.push_back(line(
        "vrf", 1, 1,
        [](I& i, const Statement& s, BindContext& ctx) {
            if (s.arg(0).size() >= 16) {
                ctx.adjusted(fmt::format("({}) VRF interface name '{}' too long - ignoring", i.name, s.arg(0)));
            } else if (i.interface) {
                ctx.adjusted(fmt::format("({}) Cannot specify VRF interface and interface - ignoring", i.name));
            } else if (i.vrf) {
                ctx.adjusted(fmt::format("({}) VRF interface already specified as '{}' - ignoring", i.name, *i.vrf));
            } else {
                i.vrf = s.arg(0);
            }
        },
        [](const I& i, ConfigWriter& out) {
            if (i.vrf) out.statement({"vrf", *i.vrf});
        }));
    rows.push_back(flag("dont_track_primary", &I::dontTrackPrimary));
    rows.push_back(trackBlock(TrackKind::Interface, &I::trackInterfaces));
    rows.push_back(trackBlock(TrackKind::Script, &I::trackScripts));
    rows.push_back(trackBlock(TrackKind::File, &I::trackFiles));
    rows.push_back(trackBlock(TrackKind::Process, &I::trackProcesses));
    rows.push_back(trackBlock(TrackKind::Bfd, &I::trackBfds));
    rows.push_back(sourceAddress("mcast_src_ip"));
    rows.push_back(sourceAddress("unicast_src_ip"));
    rows.push_back(line(
        "mcast_dst_ip", 1, 1,
        [](I& i, const Statement& s, BindContext& ctx) {
            auto a = IpAddress::parse(s.arg(0));
            if (!a) {
                ctx.error(fmt::format("({}) malformed mcast dest address {}. Skipping...", i.name, s.arg(0)));
                return;
            }
            if (i.family && *i.family != a->family) {
                ctx.error(fmt::format("({}) mcast dest address {} MUST match VRRP instance family. Skipping...", i.name,
                                      s.arg(0)));
                return;
            }
            if (!a->isMulticast()) {
                ctx.error(fmt::format("({}) mcast_dst_ip {} not{} multicast. Skipping...", i.name, s.arg(0),
                                      a->isV6() ? " IPv6" : ""));
                return;
            }
            adoptFamily(i, a->family);
            i.mcastDestination = *a;
        },
        [](const I& i, ConfigWriter& out) {
            if (i.mcastDestination) out.statement({"mcast_dst_ip", i.mcastDestination->toString()});
        }));
    rows.push_back(flag("track_src_ip", &I::trackSourceIp));
    rows.push_back(line(
        "virtual_router_id", 1, 1,
        [](I& i, const Statement& s, BindContext& ctx) {
            if (auto v = ctx.readUnsigned(s.arg(0), 1, 255))
                i.vrid = static_cast<std::uint8_t>(*v);
            else
                ctx.error(fmt::format("({}): VRID '{}' not valid - must be between 1 & 255", i.name, s.arg(0)));
        },
        [](const I& i, ConfigWriter& out) {
            if (i.vrid) out.statement({"virtual_router_id", std::to_string(*i.vrid)});
        }));
    rows.push_back(line(
        "unicast_ttl", 1, 1,
        [](I& i, const Statement& s, BindContext& ctx) {
            if (auto v = ctx.readUnsigned(s.arg(0), 0, 255))
                i.unicastTtl = static_cast<std::uint8_t>(*v);
            else
                ctx.error(fmt::format("({}): TTL '{}' not valid - must be between 0 & 255", i.name, s.arg(0)));
        },
        [](const I& i, ConfigWriter& out) {
            if (i.unicastTtl) out.statement({"unicast_ttl", std::to_string(*i.unicastTtl)});
        }));
    rows.push_back(line(
        "version", 1, 1,
        [](I& i, const Statement& s, BindContext& ctx) {
            auto v = ctx.readInt(s.arg(0), 2, 3);
            if (!v) {
                ctx.error(fmt::format("({}): Version must be either 2 or 3", i.name));
                return;
            }
            std::uint8_t current = i.version ? *i.version : (i.nativeIpv6 ? 3 : 0);
            if ((current && current != *v) || (*v == 2 && i.family == IpAddress::Family::V6)) {
                ctx.adjusted(fmt::format("({}) vrrp_version {} conflicts with configured or deduced version {}; ignoring.",
                                      i.name, *v, current));
                return;
            }
            i.version = static_cast<std::uint8_t>(*v);
        },
        [](const I& i, ConfigWriter& out) {
            if (i.version) out.statement({"version", std::to_string(*i.version)});
        }));
    rows.push_back(line(
        "priority", 1, 1,
        [](I& i, const Statement& s, BindContext& ctx) {
            if (auto v = ctx.readUnsigned(s.arg(0), 1, 255)) {
                i.priority = static_cast<std::uint8_t>(*v);
            } else {
                ctx.adjusted(fmt::format("({}) Priority not valid! must be between 1 & 255. Using default 100", i.name));
                i.priority = 100;
            }
        },
        [](const I& i, ConfigWriter& out) {
            if (i.priority) out.statement({"priority", std::to_string(*i.priority)});
        }));
    rows.push_back(line(
        "advert_int", 1, 1,
        [](I& i, const Statement& s, BindContext& ctx) {
            if (auto us = readDecimalUs(ctx, s.arg(0), 10'000, 255'000'000))
                i.advertIntervalUs = *us;
            else
                ctx.adjusted(fmt::format("({}) Advert interval ({}) not valid! Must be > 0 - ignoring", i.name, s.arg(0)));
        },
        [](const I& i, ConfigWriter& out) {
            if (i.advertIntervalUs) out.statement({"advert_int", formatUs(*i.advertIntervalUs)});
        }));
    rows.push_back(addressBlock("virtual_ipaddress", &I::vips, true));
    rows.push_back(addressBlock("virtual_ipaddress_excluded", &I::excludedVips, false));
    rows.push_back(flag("promote_secondaries", &I::promoteSecondaries));
    rows.push_back(line(
        "linkbeat_use_polling", 0, 0,
        [](I& i, const Statement&, BindContext& ctx) {
            i.linkbeatUsePolling = true;
            ctx.error(fmt::format("({}) 'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces "
                                  "block",
                                  i.name));
        },
        [](const I& i, ConfigWriter& out) {
            if (i.linkbeatUsePolling) out.statement({"linkbeat_use_polling"});
        }));
    rows.push_back(routeBlock("virtual_routes", &I::virtualRoutes, &parseVirtualRoute));
    rows.push_back(routeBlock("virtual_rules", &I::virtualRules, &parseVirtualRule));
    return rows;
}

}  // namespace inst

}  // namespace ipvsd::conf::vrrp
