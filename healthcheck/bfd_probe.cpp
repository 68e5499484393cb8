#include "healthcheck/bfd_probe.h"

#include <boost/asio/post.hpp>

#include <vector>

namespace ipvsd::healthcheck {

void BfdStateBoard::set(const std::string& name, bool up) {
    up_[name] = up;
    std::vector<std::uint64_t> ids;  // a waiter may unwatch itself (or others) while being told
    for (const auto& [id, waiter] : waiters_)
        if (waiter.first == name) ids.push_back(id);
    for (auto id : ids) {
        auto it = waiters_.find(id);
        if (it == waiters_.end()) continue;
        Waiter w = it->second.second;
        w();
    }
}

bool BfdStateBoard::up(const std::string& name) const {
    auto it = up_.find(name);
    return it != up_.end() && it->second;
}

std::uint64_t BfdStateBoard::watch(const std::string& name, Waiter waiter) {
    auto id = nextId_++;
    waiters_.emplace(id, std::make_pair(name, std::move(waiter)));
    return id;
}

void BfdStateBoard::unwatch(std::uint64_t id) { waiters_.erase(id); }

namespace {

class BfdProbe : public Probe {
public:
    BfdProbe(asio::io_context& io, std::shared_ptr<BfdStateBoard> board, std::string name)
        : io_(io), board_(std::move(board)), name_(std::move(name)) {}
    ~BfdProbe() override { cancel(); }

    void start(ProbeCallback done) override {
        cancel();
        token_ = std::make_shared<int>(0);
        const bool up = board_->up(name_);
        if (up != checkerUp_) {
            // Completed from the loop, not from inside start() (the scheduler's contract).
            std::weak_ptr<int> alive = token_;
            asio::post(io_, [this, alive, done = std::move(done), up] {
                if (alive.lock()) done(result(up));
            });
            return;
        }
        done_ = std::move(done);
        watch_ = board_->watch(name_, [this] { changed(); });
    }

    void cancel() override {
        token_.reset();
        done_ = nullptr;
        if (watch_) board_->unwatch(*watch_);
        watch_.reset();
    }

    void setCheckerUp(bool up) override { checkerUp_ = up; }

private:
    ProbeResult result(bool up) const {
        ProbeResult r;
        r.ok = up;
        r.reason = "BFD " + name_ + (up ? " is up" : " is down");
        return r;
    }
    void changed() {
        const bool up = board_->up(name_);
        if (up == checkerUp_ || !done_) return;
        ProbeCallback done = std::move(done_);
        cancel();
        done(result(up));
    }

    asio::io_context& io_;
    std::shared_ptr<BfdStateBoard> board_;
    std::string name_;
    bool checkerUp_ = true;
    ProbeCallback done_;
    std::optional<std::uint64_t> watch_;
    std::shared_ptr<int> token_;
};

}  // namespace

std::unique_ptr<Probe> makeBfdProbe(asio::io_context& io, std::shared_ptr<BfdStateBoard> board, std::string name) {
    return std::make_unique<BfdProbe>(io, std::move(board), std::move(name));
}

}  // namespace ipvsd::healthcheck
