// The vrrp_instance keywords about behaviour rather than identity: preemption, accept mode, strict mode,
// notification scripts, gratuitous ARP / unsolicited NA timing, authentication. Facts: keepalived.conf(5)
// and keepalived 2.2.7's `-t` behaviour, measured (test/unit/data/vrrp); messages are keepalived's.
#include "conf/tables/vrrp_instance.h"

#include <fmt/format.h>

namespace ipvsd::conf::vrrp::inst {

namespace {

K garpExtraIf(std::string_view name) {
    return line(
        name, 0, kAnyArgs,
        [name](I& i, const Statement& s, BindContext& ctx) {
            if (name == "vmac_garp_intvl")
                ctx.error("Keyword \"vmac_garp_intvl\" is deprecated - please use \"garp_extra_if\"");
            std::optional<std::uint32_t> delay;
            bool all = false;
            for (std::size_t n = 1; n < s.words.size(); ++n) {
                if (s.words[n] == "all") {
                    all = true;
                } else if (auto v = ctx.readUnsigned(s.words[n], 0, 86400)) {
                    delay = *v;
                } else {
                    ctx.adjusted(fmt::format("({}): {} '{}' invalid - ignoring", i.name, name, s.words[n]));
                    return;
                }
            }
            if (all) i.garpExtraIfAll = true;
            if (!delay) {
                ctx.adjusted(fmt::format("({}): {} specified without time - ignoring", i.name, name));
                return;
            }
            i.garpExtraIfDelay = delay;
        },
        [name](const I& i, ConfigWriter& out) {
            if (name != "garp_extra_if" || !i.garpExtraIfDelay) return;
            std::vector<std::string> words{"garp_extra_if"};
            if (i.garpExtraIfAll) words.push_back("all");
            words.push_back(std::to_string(*i.garpExtraIfDelay));
            out.statement(words);
        });
}


std::string ownerPrefix(const I& i) { return fmt::format("({})", i.name); }

// authentication { auth_type PASS|AH; auth_pass SECRET } binds into VrrpInstance::authentication.
const Table<VrrpAuth>& authTable() {
    static const Table<VrrpAuth> table("authentication", [] {
        std::vector<Keyword<VrrpAuth>> rows;
        Keyword<VrrpAuth> type{.name = "auth_type", .minArgs = 1, .maxArgs = 1};
        type.bind = [](VrrpAuth& a, const Statement& s, BindContext& ctx) {
            if (s.arg(0) == "AH")
                a.type = VrrpAuthType::Ah;
            else if (s.arg(0) == "PASS")
                a.type = VrrpAuthType::Pass;
            else
                ctx.error(fmt::format("({}) unknown authentication type '{}'", a.owner, s.arg(0)));
        };
        type.dump = [](const VrrpAuth& a, ConfigWriter& out) {
            if (a.type) out.statement({"auth_type", *a.type == VrrpAuthType::Ah ? "AH" : "PASS"});
        };
        rows.push_back(std::move(type));
        Keyword<VrrpAuth> pass{.name = "auth_pass", .minArgs = 1, .maxArgs = 1};
        pass.bind = [](VrrpAuth& a, const Statement& s, BindContext& ctx) {
            std::string p = s.arg(0);
            if (p.size() > 8) {  // the VRRPv2 authentication data field is 8 octets (RFC 3768 5.3.10)
                ctx.error("Truncating auth_pass to 8 characters");
                p.resize(8);
            }
            a.password = p;
        };
        pass.dump = [](const VrrpAuth& a, ConfigWriter& out) {
            if (a.password) out.statement({"auth_pass", *a.password});
        };
        rows.push_back(std::move(pass));
        return rows;
    }());
    return table;
}

K authentication() {
    K k{.name = "authentication", .maxArgs = kAnyArgs, .shape = K::Shape::SubBlock};
    k.open = [](I& i, const Statement&, BindContext&) -> std::unique_ptr<Binder> {
        if (!i.authentication) i.authentication = VrrpAuth{i.name, std::nullopt, std::nullopt};
        return std::make_unique<TableBinder<VrrpAuth>>(*i.authentication, authTable());
    };
    k.dump = [](const I& i, ConfigWriter& out) {
        if (!i.authentication) return;
        out.beginBlock({"authentication"});
        authTable().dump(*i.authentication, out);
        out.endBlock();
    };
    return k;
}

K notifyRow(std::string_view name, std::optional<ScriptCommand> VrrpNotify::*member) {
    return notifyCommandIn<I>(name, member, &I::notify, ownerPrefix);
}

}  // namespace

std::vector<K> behaviourRows() {
    std::vector<K> rows;
    rows.push_back(line(
        "accept", 0, 0, [](I& i, const Statement&, BindContext&) { i.accept = true; },
        [](const I& i, ConfigWriter& out) {
            if (i.accept) out.statement({*i.accept ? "accept" : "no_accept"});
        }));
    rows.push_back(line("no_accept", 0, 0, [](I& i, const Statement&, BindContext&) { i.accept = false; }, {}));
    rows.push_back(boolValue("skip_check_adv_addr", &I::skipCheckAdvAddr, "({}) invalid skip_check_adv_addr {} specified"));
    rows.push_back(boolValue("strict_mode", &I::strictMode, "({}) invalid strict_mode {} specified"));
    rows.push_back(line(
        "preempt", 0, 0, [](I& i, const Statement&, BindContext&) { i.nopreempt = false; },
        [](const I& i, ConfigWriter& out) {
            if (i.nopreempt) out.statement({*i.nopreempt ? "nopreempt" : "preempt"});
        }));
    rows.push_back(line("nopreempt", 0, 0, [](I& i, const Statement&, BindContext&) { i.nopreempt = true; }, {}));
    rows.push_back(line(
        "preempt_delay", 1, 1,
        [](I& i, const Statement& s, BindContext& ctx) {
            if (auto us = readDecimalUs(ctx, s.arg(0), 0, 1'000'000'000)) {
                i.preemptDelayUs = *us;
            } else {
                ctx.error(fmt::format("({}) Preempt_delay not valid! must be between 0-1000", i.name));
                i.preemptDelayUs = 0;
            }
        },
        [](const I& i, ConfigWriter& out) {
            if (i.preemptDelayUs) out.statement({"preempt_delay", formatUs(*i.preemptDelayUs)});
        }));
    rows.push_back(unsignedValue("debug", &I::debug, 0, 4, "({}) Debug value '{}' not valid; must be between 0-4"));
    rows.push_back(notifyRow("notify_backup", &VrrpNotify::backup));
    rows.push_back(notifyRow("notify_master", &VrrpNotify::master));
    rows.push_back(notifyRow("notify_fault", &VrrpNotify::fault));
    rows.push_back(notifyRow("notify_stop", &VrrpNotify::stop));
    rows.push_back(line(
        "notify_deleted", 0, kAnyArgs,
        [](I& i, const Statement& s, BindContext& ctx) {
            if (i.notifyDeleted) {
                ctx.adjusted(fmt::format("({}) notify_deleted already specified - ignoring {}", i.name,
                                      s.argCount() ? s.arg(0) : std::string()));
                return;
            }
            if (s.argCount() > 0) {
                if (auto script = scripts::parseScript(s, ctx, true); script && !script->args.empty())
                    i.notifyDeletedCommand = std::move(*script);
            }
            i.notifyDeleted = true;
        },
        [](const I& i, ConfigWriter& out) {
            if (!i.notifyDeleted) return;
            if (i.notifyDeletedCommand)
                out.statement(scripts::scriptWords("notify_deleted", *i.notifyDeletedCommand));
            else
                out.statement({"notify_deleted"});
        }));
    rows.push_back(notifyRow("notify", &VrrpNotify::any));
    rows.push_back(notifyCommand<I>("notify_master_rx_lower_pri", &I::notifyMasterRxLowerPri, ownerPrefix));
    rows.push_back(flagValue<I>("smtp_alert", &I::smtpAlert, [](const I&, const std::string& w) {
        return fmt::format("Invalid vrrp_instance smtp_alert parameter {}", w);
    }));
    rows.push_back(boolValue("notify_priority_changes", &I::notifyPriorityChanges,
                             "({}) Invalid value '{}' for notify_priority_changes specified"));
    rows.push_back(line(
        "lvs_sync_daemon_interface", 1, 1,
        [](I& i, const Statement& s, BindContext& ctx) {
            // Deprecated since 1.2.19 but still obeyed; keepalived reports it as a configuration error.
            ctx.error(fmt::format("({}) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.", i.name));
            ctx.error(fmt::format("      {:{}}Please use global lvs_sync_daemon", "",
                                  i.name.size() >= 2 ? i.name.size() - 2 : 0));
            if (!i.lvsSyncDaemonInterface) i.lvsSyncDaemonInterface = s.arg(0);
        },
        [](const I& i, ConfigWriter& out) {
            if (i.lvsSyncDaemonInterface) out.statement({"lvs_sync_daemon_interface", *i.lvsSyncDaemonInterface});
        }));
    rows.push_back(unsignedValue("garp_master_delay", &I::garpMasterDelay, 0, 4294,
                                 "({}): garp_master_delay '{}' invalid - ignoring"));
    rows.push_back(unsignedValue("garp_master_refresh", &I::garpMasterRefresh, 0, 0xffffffffU,
                                 "({}): Invalid garp_master_refresh '{}' - ignoring"));
    rows.push_back(repeatValue("garp_master_repeat", &I::garpMasterRepeat));
    rows.push_back(repeatValue("garp_master_refresh_repeat", &I::garpMasterRefreshRepeat));
    rows.push_back(unsignedValue("garp_lower_prio_delay", &I::garpLowerPrioDelay, 0, 4294,
                                 "({}): garp_lower_prio_delay '{}' invalid - ignoring"));
    rows.push_back(unsignedValue("garp_lower_prio_repeat", &I::garpLowerPrioRepeat, 0, 0x7fffffffU,
                                 "({}): Invalid garp_lower_prio_repeat '{}'"));
    rows.push_back(unsignedValue("down_timer_adverts", &I::downTimerAdverts, 1, 100,
                                 "({}): Invalid down_timer_adverts [1:100] '{}'"));
    rows.push_back(garpExtraIf("garp_extra_if"));
    rows.push_back(garpExtraIf("vmac_garp_intvl"));
    rows.push_back(boolValue("lower_prio_no_advert", &I::lowerPrioNoAdvert, "({}) invalid lower_prio_no_advert {} specified"));
    rows.push_back(boolValue("higher_prio_send_advert", &I::higherPrioSendAdvert,
                             "({}) invalid higher_prio_send_advert {} specified"));
    rows.push_back(line(
        "kernel_rx_buf_size", 0, kAnyArgs,
        [](I& i, const Statement& s, BindContext& ctx) {
            if (s.argCount() == 1) {
                // keepalived reads it quietly: only its own message on failure
                Diagnostics quiet;
                BindContext q(quiet);
                if (auto v = q.readUnsigned(s.arg(0))) {
                    i.kernelRxBufSize = *v;
                    return;
                }
            }
            ctx.error(fmt::format("({}) invalid kernel_rx_buf_size specified", i.name));
        },
        [](const I& i, ConfigWriter& out) {
            if (i.kernelRxBufSize) out.statement({"kernel_rx_buf_size", std::to_string(*i.kernelRxBufSize)});
        }));
    rows.push_back(authentication());
    rows.push_back(flag("unicast_fault_no_peer", &I::unicastFaultNoPeer));
    return rows;
}

}  // namespace ipvsd::conf::vrrp::inst
