// HTTP_GET / SSL_GET: each url is fetched on its own connection, in order; the first url whose status,
// digest or regex does not pass fails the attempt (keepalived checks all urls of an HTTP_GET). While the
// checker is down and fast_recovery is off, an attempt checks one url only and the checker comes up
// when every url has passed in turn, a delay_loop apart (keepalived.conf(5), fast_recovery).
#include "healthcheck/attempt.h"
#include "healthcheck/probes.h"

namespace ipvsd::healthcheck {

namespace {

class HttpAttempt : public Attempt {
public:
    HttpAttempt(asio::io_context& io, std::shared_ptr<const HttpProbeSpec> spec, std::size_t first, std::size_t end)
        : Attempt(io, spec->target), spec_(std::move(spec)), index_(first), end_(end) {}

private:
    void run() override { next(); }

    void next() {
        if (index_ == end_) {
            return finish(true, "HTTP " + std::to_string(spec_->urls.size()) + " url(s) passed on " + describe(target_));
        }
        const HttpUrlCheck& check = spec_->urls[index_];
        HttpFetchSpec fetchSpec{target_, check.request, spec_->tls, spec_->sniHost, spec_->maxBody};
        fetch_ = HttpFetch::start(io_, std::move(fetchSpec), [self = shared_from_this(), this](HttpFetchResult r) {
            if (finished()) return;
            const HttpUrlCheck& url = spec_->urls[index_];
            const std::string where = describe(target_) + url.url.path.value_or("/");
            if (!r.error.empty()) return finish(false, where + ": " + r.error);
            if (!r.headerError.empty()) return finish(false, where + ": " + r.headerError);
            const UrlVerdict verdict = judgeResponse(url.url, r.status, r.body, url.regex.get());
            if (!verdict.ok) return finish(false, where + ": " + verdict.reason);
            ++index_;
            next();
        });
    }

    void closeAll() override {
        if (fetch_) fetch_->cancel();
        fetch_.reset();
    }

    std::shared_ptr<const HttpProbeSpec> spec_;
    std::size_t index_ = 0;
    std::size_t end_ = 0;
    std::shared_ptr<HttpFetch> fetch_;
};

class HttpProbe : public Probe {
public:
    HttpProbe(asio::io_context& io, std::shared_ptr<const HttpProbeSpec> spec) : io_(io), spec_(std::move(spec)) {}
    ~HttpProbe() override { cancel(); }

    void setCheckerUp(bool up) override {
        if (up) recoveryIndex_ = 0;
        up_ = up;
    }

    void start(ProbeCallback done) override {
        cancel();
        const std::size_t n = spec_->urls.size();
        if (up_ || spec_->fastRecovery || n == 1) {
            current_ = std::make_shared<HttpAttempt>(io_, spec_, 0, n);
            current_->begin(std::move(done));
            return;
        }
        const std::size_t index = recoveryIndex_;
        current_ = std::make_shared<HttpAttempt>(io_, spec_, index, index + 1);
        current_->begin([this, index, n, done = std::move(done)](ProbeResult r) {
            if (!r.ok) {
                recoveryIndex_ = 0;
            } else if (index + 1 < n) {
                recoveryIndex_ = index + 1;
                r.ok = false;
                r.reason = "recovering: url " + std::to_string(index + 1) + " of " + std::to_string(n) + " passed";
            } else {
                recoveryIndex_ = 0;
            }
            done(std::move(r));
        });
    }

    void cancel() override {
        if (current_) current_->abandon();
        current_.reset();
    }

private:
    asio::io_context& io_;
    std::shared_ptr<const HttpProbeSpec> spec_;
    std::shared_ptr<Attempt> current_;
    bool up_ = true;
    std::size_t recoveryIndex_ = 0;
};

}  // namespace

std::unique_ptr<Probe> makeHttpProbe(asio::io_context& io, const conf::HttpCheck& check, ProbeTarget target,
                                     std::optional<std::string> defaultVirtualhost,
                                     std::shared_ptr<asio::ssl::context> tls, const ProbeLimits& limits,
                                     std::string& error) {
    auto spec = std::make_shared<HttpProbeSpec>();
    spec->target = target;
    spec->tls = std::move(tls);
    spec->maxBody = limits.maxBody;
    const auto protocol = check.protocol.value_or(conf::HttpProtocol::Http10);
    // virtualhost: the url's, else the checker's, else the real server's, else the virtual server's
    const auto checkerHost = check.virtualhost ? check.virtualhost : defaultVirtualhost;
    for (const auto& url : check.urls) {
        HttpUrlCheck c;
        c.url = url;
        const auto vhost = url.virtualhost ? url.virtualhost : checkerHost;
        c.request = buildRequest(url.path.value_or("/"), hostHeader(vhost, conf::IpAddress{}, 0), protocol);
        if (!vhost) {
            // Host: IP:PORT of where we connect
            const std::string ip = target.address.is_v6() ? "[" + target.address.to_string() + "]"
                                                           : target.address.to_string();
            c.request = buildRequest(url.path.value_or("/"), ip + ":" + std::to_string(target.port), protocol);
        }
        if (url.regex) {
            c.regex = BodyRegex::compile(url, error);
            if (!c.regex) return nullptr;
        }
        spec->urls.push_back(std::move(c));
    }
    if (check.enableSni.value_or(false) && checkerHost) spec->sniHost = checkerHost;
    if (spec->urls.empty()) {
        error = "HTTP checker without url";
        return nullptr;
    }
    spec->fastRecovery = check.fastRecovery.value_or(false);
    return std::make_unique<HttpProbe>(io, std::move(spec));
}

}  // namespace ipvsd::healthcheck
