// Shared pieces of the VRRP tables: number readers with keepalived's messages, tracked-object lines, and
// the binders for skipped blocks and for track references resolved while reading. Facts: keepalived 2.2.7
// `-t` output, measured (test/unit/data/vrrp).
#include "conf/tables/vrrp_parse.h"

#include <fmt/format.h>

#include <cmath>

namespace ipvsd::conf::vrrp {

std::optional<bool> parseTrueFalse(std::string_view word) {
    if (word == "true" || word == "on" || word == "yes") return true;
    if (word == "false" || word == "off" || word == "no") return false;
    return std::nullopt;
}

std::optional<std::uint64_t> readDecimalUs(BindContext& ctx, std::string_view word, std::uint64_t loUs,
                                           std::uint64_t hiUs) {
    std::string s(word);
    std::size_t i = s.find_first_not_of(" \t");
    if (i == std::string::npos) i = s.size();
    auto range = [&] {
        ctx.error(fmt::format("number '{}' outside range [{:.6f}, {:.6f}]", s, static_cast<double>(loUs) / 1e6,
                              static_cast<double>(hiUs) / 1e6));
    };
    if (i < s.size() && s[i] == '-') {
        ctx.error(fmt::format("negative number '{}'", s));
        return std::nullopt;
    }
    if (i < s.size() && s[i] == '+') ++i;
    std::uint64_t whole = 0;
    std::size_t digits = 0;
    bool overflow = false;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
        whole = whole * 10 + static_cast<std::uint64_t>(s[i] - '0');
        if (whole > 1'000'000'000'000ULL) overflow = true;
    }
    std::uint64_t fraction = 0;
    std::size_t places = 0;
    bool roundUp = false;
    bool tooMany = false;
    if (i < s.size() && s[i] == '.') {
        for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
            if (places < 6) {
                fraction = fraction * 10 + static_cast<std::uint64_t>(s[i] - '0');
                ++places;
            } else {
                if (places == 6 && !tooMany) roundUp = s[i] >= '5';
                tooMany = true;
            }
        }
    }
    if (i != s.size() || digits == 0) {
        ctx.error(fmt::format("invalid number '{}'", s));
        return std::nullopt;
    }
    if (tooMany) ctx.error(fmt::format("number '{}' has too many decimal places", s));
    for (; places < 6; ++places) fraction *= 10;
    if (overflow) {
        range();
        return std::nullopt;
    }
    std::uint64_t us = whole * 1'000'000 + fraction + (roundUp ? 1 : 0);
    if (us < loUs || us > hiUs) {
        range();
        return std::nullopt;
    }
    return us;
}

std::string formatUs(std::uint64_t us) { return fields::formatTimer(us); }

std::string_view trackKeyword(TrackKind kind) {
    switch (kind) {
        case TrackKind::Interface: return "track_interface";
        case TrackKind::Script: return "track_script";
        case TrackKind::File: return "track_file";
        case TrackKind::Process: return "track_process";
        case TrackKind::Bfd: return "track_bfd";
    }
    return {};
}

namespace {

// keepalived's wording differs per kind; these are its 2.2.7 messages.
struct TrackWords {
    std::string_view unknownOption;   // (owner) ... {name} ... {word}
    std::string_view noWeight;
    std::string_view badWeight;
    std::string_view badWeightOption;
    std::int32_t readLimit;           // the range read_int is asked for
    bool clamp254;                    // +/-254 is read, then set to +/-253 with a message
};

TrackWords wordsFor(TrackKind kind) {
    switch (kind) {
        case TrackKind::Interface:
            return {"({}) unknown track_interface {} option {} - ignoring",
                    "({}) weight without value specified for track_interface {} - ignoring",
                    "({}) weight {} for {} must be between [-253..253] inclusive. Ignoring...",
                    "({}) unknown track_interace {} weight option {} - ignoring", 254, true};
        case TrackKind::Script:
            return {"({}) unknown track script option {} - ignoring",
                    "({}) weight without value specified for track script {} - ignoring",
                    "({}) track script {}: weight must be between [-253..253] inclusive, ignoring...",
                    "({}) unknown track_script {} weight option {} - ignoring", 254, true};
        case TrackKind::File:
            return {"({}) unknown track file option {} - ignoring",
                    "({}) weight without value specified for track file {} - ignoring",
                    "({}) weight for track file {} must be in [-254..254] inclusive. Ignoring...",
                    "({}) unknown track file {} weight option {} - ignoring", 254, false};
        case TrackKind::Process:
            return {"({}) unknown track process option {} - ignoring",
                    "({}) weight without value specified for track process {} - ignoring",
                    "({}) weight for track process {} must be in [-254..254] inclusive. Ignoring...",
                    "({}) unknown track_process {} weight option {} - ignoring", 254, false};
        case TrackKind::Bfd:
            return {"({}) unknown track bfd {} option {} - ignoring",
                    "({}) weight without value specified for track bfd {} - ignoring",
                    "({}) weight for track bfd {} must be in [-253..253] inclusive. Ignoring...",
                    "({}) unknown track bfd {} weight option {} - ignoring", 253, false};
    }
    return {};
}

}  // namespace

std::optional<TrackRef> parseTrackRef(TrackKind kind, std::string_view owner, const std::vector<TrackRef>& already,
                                      const Statement& s, BindContext& ctx) {
    const std::string& name = s.words.front();
    for (const auto& ref : already)
        if (ref.name == name) {
            ctx.adjusted(fmt::format("({}) duplicate {} {} - ignoring", owner, trackKeyword(kind), name));
            return std::nullopt;
        }
    TrackRef ref{s.where, name, std::nullopt, false};
    if (s.words.size() == 1) return ref;
    TrackWords w = wordsFor(kind);
    if (s.words[1] != "weight") {
        // keepalived names the option first for the "unknown ... option" message of scripts and processes.
        if (kind == TrackKind::Script || kind == TrackKind::Process || kind == TrackKind::File)
            ctx.error(fmt::format(fmt::runtime(w.unknownOption), owner, s.words[1]));
        else
            ctx.error(fmt::format(fmt::runtime(w.unknownOption), owner, name, s.words[1]));
        return std::nullopt;
    }
    if (s.words.size() < 3) {
        ctx.error(fmt::format(fmt::runtime(w.noWeight), owner, name));
        return std::nullopt;
    }
    auto weight = ctx.readInt(s.words[2], -w.readLimit, w.readLimit);
    if (!weight) {
        if (kind == TrackKind::Interface)
            ctx.error(fmt::format(fmt::runtime(w.badWeight), owner, s.words[2], name));
        else
            ctx.error(fmt::format(fmt::runtime(w.badWeight), owner, name));
        return ref;  // keepalived keeps the reference, without the weight
    }
    if (w.clamp254 && (*weight == 254 || *weight == -254)) {
        ctx.error(fmt::format("({}) weight for {} cannot be +/-254. Setting to +/-253", owner, name));
        *weight = *weight > 0 ? 253 : -253;
    }
    ref.weight = *weight;
    if (s.words.size() > 3) {
        if (s.words[3] == "reverse")
            ref.reverse = true;
        else
            ctx.error(fmt::format(fmt::runtime(w.badWeightOption), owner, name, s.words[3]));
    }
    return ref;
}

std::vector<std::string> trackRefWords(const TrackRef& ref) {
    std::vector<std::string> words{ref.name};
    if (ref.weight) {
        words.push_back("weight");
        words.push_back(std::to_string(*ref.weight));
        if (ref.reverse) words.push_back("reverse");
    }
    return words;
}

namespace {

// Binds into a private object and throws its diagnostics away; unknown keywords inside are accepted.
class SkipBinder final : public Binder {
public:
    SkipBinder(std::unique_ptr<Binder> inner, std::shared_ptr<void> keepAlive)
        : inner_(std::move(inner)), keepAlive_(std::move(keepAlive)), muted_(std::make_shared<Diagnostics>()) {}

    Outcome statement(const Statement& s, BindContext& ctx) override {
        BindContext quiet(*muted_);
        quiet.setWhere(ctx.where());
        Outcome out = inner_->statement(s, quiet);
        switch (out.kind) {
            case Outcome::Kind::Unknown: out.kind = Outcome::Kind::Line; break;
            case Outcome::Kind::SubBlock: out.child = std::make_unique<SkipBinder>(std::move(out.child), nullptr); break;
            case Outcome::Kind::ValueBlock:
                if (out.values) {
                    auto muted = muted_;
                    out.values = [sink = std::move(out.values), muted](const Statement& line, BindContext& c) {
                        BindContext q(*muted);
                        q.setWhere(c.where());
                        sink(line, q);
                    };
                }
                break;
            case Outcome::Kind::Line: break;
        }
        return out;
    }
    void close(BindContext& ctx) override {
        BindContext quiet(*muted_);
        quiet.setWhere(ctx.where());
        inner_->close(quiet);
    }
    std::optional<TableView> view() const override { return inner_->view(); }
    std::unique_ptr<Binder> openForView(std::size_t index, BindContext& ctx) override {
        return inner_->openForView(index, ctx);
    }

private:
    std::unique_ptr<Binder> inner_;
    std::shared_ptr<void> keepAlive_;
    std::shared_ptr<Diagnostics> muted_;
};

// Checks the names in track_script / track_file / track_process / track_bfd against what is defined so far.
class ResolveBinder final : public Binder {
public:
    ResolveBinder(std::unique_ptr<Binder> inner, const Config& config, std::string owner)
        : inner_(std::move(inner)), config_(config), owner_(std::move(owner)) {}

    Outcome statement(const Statement& s, BindContext& ctx) override {
        Outcome out = inner_->statement(s, ctx);
        if (out.kind != Outcome::Kind::ValueBlock || !out.values) return out;
        const std::string& k = s.keyword();
        std::function<bool(const std::string&)> exists;
        std::string what;
        const Config* config = &config_;
        if (k == "track_script") {
            what = "track script";
            exists = [config](const std::string& n) {
                for (const auto& x : config->vrrp.scripts)
                    if (x.name == n) return true;
                return false;
            };
        } else if (k == "track_file") {
            what = "track file";
            exists = [config](const std::string& n) {
                for (const auto& x : config->vrrp.trackFiles)
                    if (x.name == n) return true;
                return false;
            };
        } else if (k == "track_process") {
            what = "track process";
            exists = [config](const std::string& n) {
                for (const auto& x : config->vrrp.trackProcesses)
                    if (x.name == n) return true;
                return false;
            };
        } else if (k == "track_bfd") {
            what = "track bfd";
            exists = [config](const std::string& n) {
                for (const auto& x : config->bfd.instances)
                    if (x.name == n) return true;
                return false;
            };
        } else {
            return out;
        }
        out.values = [sink = std::move(out.values), exists, what, owner = owner_](const Statement& line,
                                                                                  BindContext& c) {
            if (!exists(line.words.front())) {
                c.adjusted(fmt::format("({}) {} {} not found, ignoring...", owner, what, line.words.front()));
                return;
            }
            sink(line, c);
        };
        return out;
    }
    void close(BindContext& ctx) override { inner_->close(ctx); }
    std::optional<TableView> view() const override { return inner_->view(); }
    std::unique_ptr<Binder> openForView(std::size_t index, BindContext& ctx) override {
        return inner_->openForView(index, ctx);
    }

private:
    std::unique_ptr<Binder> inner_;
    const Config& config_;
    std::string owner_;
};

}  // namespace

std::unique_ptr<Binder> skipBlock(std::unique_ptr<Binder> inner, std::shared_ptr<void> keepAlive) {
    return std::make_unique<SkipBinder>(std::move(inner), std::move(keepAlive));
}

std::unique_ptr<Binder> resolveTracks(std::unique_ptr<Binder> inner, const Config& config, std::string owner) {
    return std::make_unique<ResolveBinder>(std::move(inner), config, std::move(owner));
}

}  // namespace ipvsd::conf::vrrp
