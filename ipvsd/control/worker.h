// Worker: one thread (asio::thread_pool(1)) where the control socket and /metrics build their large
// replies (snapshot, IPVS dump, rendering) so the daemon's loop stays free for VRRP and checker timers.
// run() takes the work to the worker and brings its result back to the loop's executor; nothing of the
// loop's own state may be touched by the work (it gets immutable copies or shared_ptr<const>).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <utility>

namespace ipvsd::control {

class Worker {
  public:
    Worker() : pool_(1) {}
    // Finishes the work already queued (its results are posted to executors that must still exist).
    ~Worker() { pool_.join(); }
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // work() runs on the worker thread; done(result) runs on loop. work must not throw.
    template <class Work, class Done>
    void run(boost::asio::any_io_executor loop, Work work, Done done) {
        boost::asio::post(pool_, [loop = std::move(loop), work = std::move(work), done = std::move(done)]() mutable {
            auto result = work();
            boost::asio::post(loop, [done = std::move(done), result = std::move(result)]() mutable {
                done(std::move(result));
            });
        });
    }

    // Frees a large value (a reply of tens of MB: munmap of its pages) on the worker instead of the loop.
    template <class T>
    void dispose(T value) {
        boost::asio::post(pool_, [v = std::move(value)]() mutable { T drop = std::move(v); });
    }

  private:
    boost::asio::thread_pool pool_;
};

}  // namespace ipvsd::control
