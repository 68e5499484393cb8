// The objects VRRP instances track: vrrp_script, vrrp_track_process, track_file (alias vrrp_track_file).
// Facts: keepalived.conf(5) and keepalived 2.2.7's `-t` behaviour, measured (test/unit/data/vrrp).
#include "conf/tables/vrrp_parse.h"

#include <fmt/format.h>

namespace ipvsd::conf::vrrp {

namespace {

template <class T>
Keyword<T> row(std::string_view name, std::uint8_t minArgs, std::uint8_t maxArgs, typename Keyword<T>::Bind bind,
               typename Keyword<T>::Dump dump) {
    Keyword<T> k{.name = name, .minArgs = minArgs, .maxArgs = maxArgs};
    k.bind = std::move(bind);
    k.dump = std::move(dump);
    return k;
}

template <class T>
void dumpNumber(ConfigWriter& out, std::string_view name, const std::optional<T>& v) {
    if (v) out.statement({std::string(name), std::to_string(*v)});
}

// ---- vrrp_script ----

using S = VrrpScript;

// interval / timeout: whole seconds, 0 accepted as 1 (pre-2.0.7 configs).
Keyword<S> scriptSeconds(std::string_view name, std::optional<std::uint32_t> S::*member, std::string_view invalid) {
    return row<S>(
        name, 1, 1,
        [member, name, invalid](S& v, const Statement& s, BindContext& ctx) {
            auto n = ctx.readUnsigned(s.arg(0), 0, 4294);
            if (!n) {
                ctx.error(fmt::format(fmt::runtime(invalid), v.name, s.arg(0)));
                return;
            }
            if (*n == 0) {
                ctx.error(fmt::format("({}): vrrp script {} must be greater than 0, setting to 1", v.name,
                                      name == "interval" ? "interval" : "timeout"));
                n = 1;
            }
            v.*member = *n;
        },
        [member, name](const S& v, ConfigWriter& out) { dumpNumber(out, name, v.*member); });
}

Keyword<S> scriptCount(std::string_view name, std::optional<std::uint32_t> S::*member) {
    return row<S>(
        name, 1, 1,
        [member, name](S& v, const Statement& s, BindContext& ctx) {
            if (auto n = ctx.readUnsigned(s.arg(0), 1, 0x7fffffffU)) {
                v.*member = *n;
            } else {
                ctx.adjusted(fmt::format("({}): vrrp script {} value '{}' invalid, defaulting to 1", v.name, name, s.arg(0)));
                v.*member = 1;
            }
        },
        [member, name](const S& v, ConfigWriter& out) { dumpNumber(out, name, v.*member); });
}

const Table<S>& buildScriptTable() {
    static const Table<S> table("vrrp_script", [] {
        std::vector<Keyword<S>> rows;
        rows.push_back(row<S>(
            "script", 1, kAnyArgs,
            [](S& v, const Statement& s, BindContext& ctx) {
                // The rest of the line with quotes and escapes; one quoted word is the whole command line.
                if (auto words = detail::commandWords(s, ctx)) {
                    if (!v.command) v.command.emplace();
                    v.command->args = std::move(*words);
                    v.command->where = ctx.where();
                }
            },
            [](const S& v, ConfigWriter& out) {
                if (v.command && !v.command->args.empty())
                    out.statement({"script", fields::joinCommand(v.command->args)});
            }));
        rows.push_back(scriptSeconds("interval", &S::intervalSeconds,
                                     "({}): vrrp script interval '{}' must be between 1 and 4294 - ignoring"));
        rows.push_back(scriptSeconds("timeout", &S::timeoutSeconds, "({}): vrrp script timeout '{}' invalid - ignoring"));
        rows.push_back(row<S>(
            "weight", 1, 2,
            [](S& v, const Statement& s, BindContext& ctx) {
                if (auto w = ctx.readInt(s.arg(0), -253, 253))
                    v.weight = *w;
                else
                    ctx.error(fmt::format("vrrp_script {} weight {} must be in [-253, 253]", v.name, s.arg(0)));
                if (s.argCount() > 1) {
                    if (s.arg(1) == "reverse")
                        v.weightReverse = true;
                    else
                        ctx.error(fmt::format("vrrp_script {} unknown weight option {}", v.name, s.arg(1)));
                }
            },
            [](const S& v, ConfigWriter& out) {
                if (!v.weight) return;
                std::vector<std::string> words{"weight", std::to_string(*v.weight)};
                if (v.weightReverse) words.push_back("reverse");
                out.statement(words);
            }));
        rows.push_back(scriptCount("rise", &S::rise));
        rows.push_back(scriptCount("fall", &S::fall));
        rows.push_back(row<S>(
            "user", 1, 2,
            [](S& v, const Statement& s, BindContext& ctx) {
                if (!v.command) v.command.emplace();
                v.command->user = s.arg(0);
                v.command->group.reset();
                if (s.argCount() > 1) v.command->group = s.arg(1);
                v.userWhere = ctx.where();
            },
            [](const S& v, ConfigWriter& out) {
                if (!v.command || !v.command->user) return;
                std::vector<std::string> words{"user", *v.command->user};
                if (v.command->group) words.push_back(*v.command->group);
                out.statement(words);
            }));
        rows.push_back(row<S>(
            "init_fail", 0, 0, [](S& v, const Statement&, BindContext&) { v.initFail = true; },
            [](const S& v, ConfigWriter& out) {
                if (v.initFail) out.statement({"init_fail"});
            }));
        return rows;
    }());
    return table;
}

// ---- vrrp_track_process ----

using P = VrrpTrackProcess;

Keyword<P> processDelay(std::string_view name, std::optional<std::uint64_t> P::*member) {
    return row<P>(
        name, 1, 1,
        [member, name](P& p, const Statement& s, BindContext& ctx) {
            if (auto us = readDecimalUs(ctx, s.arg(0), 1, 3'600'000'000ULL)) {
                p.*member = *us;
            } else {
                std::string_view kind = name == "delay" ? "" : name.substr(0, name.size() - 5);
                ctx.error(fmt::format("{}delay ({}) for vrrp_track_process {} must be between [0.000001..3600] "
                                      "inclusive. Ignoring...",
                                      kind, s.arg(0), p.name));
            }
        },
        [member, name](const P& p, ConfigWriter& out) {
            if (p.*member) out.statement({std::string(name), formatUs(*(p.*member))});
        });
}

const Table<P>& buildProcessTable() {
    static const Table<P> table("vrrp_track_process", [] {
        std::vector<Keyword<P>> rows;
        rows.push_back(row<P>(
            "process", 1, kAnyArgs,
            [](P& p, const Statement& s, BindContext& ctx) {
                if (p.process) {
                    ctx.adjusted(fmt::format("Process already set for track process {} - ignoring {}", p.name, s.arg(0)));
                    return;
                }
                p.process = s.arg(0);
                p.parameters.assign(s.words.begin() + 2, s.words.end());
            },
            [](const P& p, ConfigWriter& out) {
                if (!p.process) return;
                std::vector<std::string> words{"process", *p.process};
                words.insert(words.end(), p.parameters.begin(), p.parameters.end());
                out.statement(words);
            }));
        rows.push_back(row<P>(
            "param_match", 0, 1,
            [](P& p, const Statement& s, BindContext& ctx) {
                if (s.argCount() == 0)
                    p.paramMatch = P::ParamMatch::Exact;
                else if (s.arg(0) == "initial")
                    p.paramMatch = P::ParamMatch::Initial;
                else if (s.arg(0) == "partial")
                    p.paramMatch = P::ParamMatch::Partial;
                else
                    ctx.adjusted(fmt::format("Invalid param_match type {} - ignoring", s.arg(0)));
            },
            [](const P& p, ConfigWriter& out) {
                if (!p.paramMatch) return;
                if (*p.paramMatch == P::ParamMatch::Exact)
                    out.statement({"param_match"});
                else
                    out.statement({"param_match", *p.paramMatch == P::ParamMatch::Initial ? "initial" : "partial"});
            }));
        rows.push_back(row<P>(
            "weight", 0, 2,
            [](P& p, const Statement& s, BindContext& ctx) {
                if (s.argCount() == 0) {
                    ctx.adjusted(fmt::format("No weight specified for track process {} - ignoring", p.name));
                    return;
                }
                if (p.weight && *p.weight != 0) {
                    ctx.adjusted(fmt::format("Weight already set for track process {} - ignoring {}", p.name, s.arg(0)));
                    return;
                }
                auto w = ctx.readInt(s.arg(0), -254, 254);
                if (!w) {
                    ctx.error(fmt::format("Weight ({}) for vrrp_track_process {} must be between [-254..254] "
                                          "inclusive. Ignoring...",
                                          s.arg(0), p.name));
                    return;
                }
                if (s.argCount() > 1) {
                    if (s.arg(1) == "reverse")
                        p.weightReverse = true;
                    else
                        ctx.error(fmt::format("vrrp_track_process {} unknown weight option {}", p.name, s.arg(1)));
                }
                p.weight = *w;
            },
            [](const P& p, ConfigWriter& out) {
                if (!p.weight) return;
                std::vector<std::string> words{"weight", std::to_string(*p.weight)};
                if (p.weightReverse) words.push_back("reverse");
                out.statement(words);
            }));
        rows.push_back(row<P>(
            "quorum", 1, 1,
            [](P& p, const Statement& s, BindContext& ctx) {
                auto q = ctx.readUnsigned(s.arg(0), 1, 65535);
                if (!q) {
                    ctx.error(fmt::format("Quorum ({}) for vrrp_track_process {} must be between [1..65535] "
                                          "inclusive. Ignoring...",
                                          s.arg(0), p.name));
                    return;
                }
                if (p.quorumMax && *q > *p.quorumMax) {
                    ctx.adjusted("Quorum is greater than quorum_max - ignoring");
                    return;
                }
                p.quorum = *q;
            },
            [](const P& p, ConfigWriter& out) { dumpNumber(out, "quorum", p.quorum); }));
        rows.push_back(row<P>(
            "quorum_max", 1, 1,
            [](P& p, const Statement& s, BindContext& ctx) {
                auto q = ctx.readUnsigned(s.arg(0), 0, 65535);
                if (!q) {
                    ctx.error(fmt::format("quorum_max ({}) for vrrp_track_process {} must be between [0..65535] "
                                          "inclusive. Ignoring...",
                                          s.arg(0), p.name));
                    return;
                }
                std::uint32_t quorum = p.quorum.value_or(1);
                if ((*q || quorum > 1) && *q < quorum) {
                    ctx.adjusted("quorum_max is less than quorum - ignoring");
                    return;
                }
                p.quorumMax = *q;
            },
            [](const P& p, ConfigWriter& out) { dumpNumber(out, "quorum_max", p.quorumMax); }));
        rows.push_back(processDelay("delay", &P::delayUs));
        rows.push_back(processDelay("terminate_delay", &P::terminateDelayUs));
        rows.push_back(processDelay("fork_delay", &P::forkDelayUs));
        rows.push_back(row<P>(
            "full_command", 0, 0, [](P& p, const Statement&, BindContext&) { p.fullCommand = true; },
            [](const P& p, ConfigWriter& out) {
                if (p.fullCommand) out.statement({"full_command"});
            }));
        return rows;
    }());
    return table;
}

// ---- track_file ----

using F = TrackFile;

const Table<F>& buildFileTable() {
    static const Table<F> table("track_file", [] {
        std::vector<Keyword<F>> rows;
        rows.push_back(row<F>(
            "file", 1, 1,
            [](F& f, const Statement& s, BindContext& ctx) {
                if (f.file) {
                    ctx.adjusted(fmt::format("File already set for track file {} - ignoring {}", f.name, s.arg(0)));
                    return;
                }
                f.file = s.arg(0);
            },
            [](const F& f, ConfigWriter& out) {
                if (f.file) out.statement({"file", *f.file});
            }));
        rows.push_back(row<F>(
            "weight", 1, 2,
            [](F& f, const Statement& s, BindContext& ctx) {
                auto w = ctx.readInt(s.arg(0), -254, 254);
                if (!w) {
                    ctx.error(fmt::format("Weight ({}) for track_file {} must be between [-254..254] inclusive. "
                                          "Ignoring...",
                                          s.arg(0), f.name));
                    return;
                }
                f.weight = *w;
                if (s.argCount() > 1) {
                    if (s.arg(1) == "reverse")
                        f.weightReverse = true;
                    else
                        ctx.error(fmt::format("track_file {} unknown weight option {}", f.name, s.arg(1)));
                }
            },
            [](const F& f, ConfigWriter& out) {
                if (!f.weight) return;
                std::vector<std::string> words{"weight", std::to_string(*f.weight)};
                if (f.weightReverse) words.push_back("reverse");
                out.statement(words);
            }));
        rows.push_back(row<F>(
            "init_file", 0, 2,
            [](F& f, const Statement& s, BindContext& ctx) {
                f.initFile = true;
                for (std::size_t n = 1; n < s.words.size(); ++n) {
                    const std::string& w = s.words[n];
                    if (w == "overwrite") {
                        f.initOverwrite = true;
                    } else if (!w.empty() && (std::isdigit(static_cast<unsigned char>(w[0])) || w[0] == '-')) {
                        Diagnostics quiet;
                        BindContext q(quiet);
                        auto v = q.readInt(w);
                        if (!v)
                            ctx.error(fmt::format("Track file {} init value {} is invalid", f.name, w));
                        else if (*v < -254 || *v > 254)
                            ctx.error(fmt::format("Track file {} init value {} is outside sensible range [-254, 254]",
                                                  f.name, *v));
                        else
                            f.initValue = *v;
                    } else {
                        ctx.error(fmt::format("Unknown track file init option {}", w));
                    }
                }
            },
            [](const F& f, ConfigWriter& out) {
                if (!f.initFile) return;
                std::vector<std::string> words{"init_file"};
                if (f.initValue) words.push_back(std::to_string(*f.initValue));
                if (f.initOverwrite) words.push_back("overwrite");
                out.statement(words);
            }));
        return rows;
    }());
    return table;
}

// A named root block appended to (config.vrrp.*collection); `valid` decides at the closing brace whether
// keepalived keeps it (reporting why not), and a dropped block is removed again.
template <class T>
class NamedBlockBinder final : public Binder {
public:
    NamedBlockBinder(std::deque<T>& list, const Table<T>& table, std::function<bool(const T&, BindContext&)> valid)
        : list_(list), inner_(list.back(), table), valid_(std::move(valid)) {}
    Outcome statement(const Statement& s, BindContext& ctx) override { return inner_.statement(s, ctx); }
    void close(BindContext& ctx) override {
        inner_.close(ctx);
        if (valid_ && !valid_(list_.back(), ctx)) list_.pop_back();
    }
    std::optional<TableView> view() const override { return inner_.view(); }
    std::unique_ptr<Binder> openForView(std::size_t index, BindContext& ctx) override {
        return inner_.openForView(index, ctx);
    }

private:
    std::deque<T>& list_;
    TableBinder<T> inner_;
    std::function<bool(const T&, BindContext&)> valid_;
};

template <class T>
Keyword<Config> namedRoot(std::string_view name, std::deque<T> VrrpConfig::*list, const Table<T>& (*table)(),
                          std::function<bool(const T&, BindContext&)> valid,
                          std::function<void(T&, const Statement&)> init = {}) {
    Keyword<Config> k{.name = name, .minArgs = 1, .maxArgs = kAnyArgs, .shape = Keyword<Config>::Shape::SubBlock};
    k.open = [list, table, valid, init](Config& c, const Statement& s, BindContext&) -> std::unique_ptr<Binder> {
        if (s.argCount() == 0) return skipBlockOf(table());
        T& t = (c.vrrp.*list).emplace_back();
        t.where = s.where;
        t.name = s.arg(0);
        if (init) init(t, s);
        return std::make_unique<NamedBlockBinder<T>>(c.vrrp.*list, table(), valid);
    };
    k.dump = [list, table, name](const Config& c, ConfigWriter& out) {
        for (const T& t : c.vrrp.*list) {
            std::string keyword(name);
            if constexpr (std::is_same_v<T, TrackFile>)
                keyword = t.deprecatedKeyword ? "vrrp_track_file" : "track_file";
            if (keyword != name) continue;  // written by the row of its own keyword
            out.beginBlock({keyword, t.name});
            table().dump(t, out);
            out.endBlock();
        }
    };
    return k;
}

}  // namespace

const Table<VrrpScript>& scriptTable() { return buildScriptTable(); }
const Table<VrrpTrackProcess>& trackProcessTable() { return buildProcessTable(); }
const Table<TrackFile>& trackFileTable() { return buildFileTable(); }

void addScriptRootKeywords(std::vector<Keyword<Config>>& rows) {
    rows.push_back(namedRoot<VrrpScript>("vrrp_script", &VrrpConfig::scripts, &scriptTable,
                                         [](const VrrpScript& v, BindContext& ctx) {
                                             if (v.command && !v.command->args.empty()) return true;
                                             ctx.adjusted(fmt::format("No script set for vrrp_script {} - removing", v.name));
                                             return false;
                                         }));
    rows.push_back(namedRoot<VrrpTrackProcess>(
        "vrrp_track_process", &VrrpConfig::trackProcesses, &trackProcessTable,
        [](const VrrpTrackProcess& p, BindContext& ctx) {
            if (p.process) return true;
            ctx.adjusted(fmt::format("track process '{}' process name not specified", p.name));
            return false;
        }));
    auto fileValid = [](const TrackFile& f, BindContext& ctx) {
        if (f.file) return true;
        ctx.adjusted(fmt::format("No file set for track_file {} - ignoring", f.name));
        return false;
    };
    rows.push_back(namedRoot<TrackFile>("track_file", &VrrpConfig::trackFiles, &trackFileTable, fileValid));
    rows.push_back(namedRoot<TrackFile>("vrrp_track_file", &VrrpConfig::trackFiles, &trackFileTable, fileValid,
                                        [](TrackFile& f, const Statement&) { f.deprecatedKeyword = true; }));
}

}  // namespace ipvsd::conf::vrrp
