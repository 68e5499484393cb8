#include "ipvsd/control/server.h"

#include "ipvsd/control/protocol.h"
#include "ipvsd/control/worker.h"

#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <set>

namespace ipvsd::control {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;

class Session;

// Replies at least this large are freed on the worker (unmapping tens of MB takes milliseconds).
constexpr std::size_t kDisposeOnWorker = 1 << 20;

struct ControlServer::Shared {
    ControlHandler* handler = nullptr;
    ServerLimits limits;
    Logger log;
    std::shared_ptr<ServerStats> stats;
    std::set<Session*> sessions;
    bool stopped = false;

    void note(const std::string& s) const {
        if (log) log(s);
    }
};

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(Socket socket, std::shared_ptr<ControlServer::Shared> shared)
        : socket_(std::move(socket)),
          shared_(std::move(shared)),
          buffer_(shared_->limits.maxLineBytes + 1),
          timer_(socket_.get_executor()) {}

    void start() {
        shared_->sessions.insert(this);
        armTimer();
        read();
    }

    // Sends an error and closes after it went out.
    void refuse(const std::string& code, const std::string& message) {
        shared_->sessions.insert(this);
        armTimer();
        closeAfterWrite_ = true;
        queue(errorReply({code, message, nullptr}));
    }

    void close() {
        if (closed_) return;
        closed_ = true;
        boost::system::error_code ignored;
        timer_.cancel();
        socket_.shutdown(Socket::shutdown_both, ignored);
        socket_.close(ignored);
        shared_->sessions.erase(this);
    }

    ~Session() { shared_->sessions.erase(this); }

  private:
    void armTimer() {
        timer_.expires_after(shared_->limits.idleTimeout);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec || self->closed_) return;
            ++self->shared_->stats->disconnected;
            self->close();
        });
    }

    void read() {
        asio::async_read_until(socket_, buffer_, '\n',
                               [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                                   self->onRead(ec, n);
                               });
    }

    void onRead(const boost::system::error_code& ec, std::size_t n) {
        if (closed_) return;
        if (ec == asio::error::not_found) {  // the buffer filled up without a newline
            ++shared_->stats->errors;
            ++shared_->stats->disconnected;
            closeAfterWrite_ = true;
            queue(errorReply({codes::lineTooLong,
                              "request line longer than " + std::to_string(shared_->limits.maxLineBytes) +
                                  " bytes",
                              nullptr}));
            return;
        }
        if (ec) {  // EOF or error: finish pending writes, then close
            if (writing_) {
                closeAfterWrite_ = true;
                return;
            }
            close();
            return;
        }
        std::string line(asio::buffers_begin(buffer_.data()),
                         asio::buffers_begin(buffer_.data()) + static_cast<std::ptrdiff_t>(n - 1));
        buffer_.consume(n);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        armTimer();
        if (!line.empty()) {
            ++shared_->stats->requests;
            auto parsed = parseRequest(line);
            if (auto* req = std::get_if<Request>(&parsed); req && req->command == Command::status) {
                if (Worker* worker = shared_->handler->worker()) {
                    statusOnWorker(*worker, std::move(*req));
                    return;  // the next request is read once this reply is queued (replies keep their order)
                }
            }
            std::string reply = std::holds_alternative<Request>(parsed)
                                    ? handleRequest(std::get<Request>(parsed), *shared_->handler)
                                    : errorReply(std::get<ProtocolError>(parsed));
            const bool error = reply.find("\"ok\":false") != std::string::npos;
            if (!sendReply(std::move(reply), error)) return;
        }
        read();
    }

    // The loop only takes the snapshot job (cheap); the job, the rendering and the reply's text are made on
    // the worker, and the reply comes back here to be written asynchronously.
    void statusOnWorker(Worker& worker, Request req) {
        SnapshotJob job;
        try {
            job = shared_->handler->snapshotJob();
        } catch (const std::exception& ex) {
            if (sendReply(errorReply({codes::internal, std::string("internal error: ") + ex.what(), req.id}), true))
                read();
            return;
        }
        worker.run(
            socket_.get_executor(),
            [job = std::move(job), req = std::move(req)]() -> std::pair<std::string, bool> {
                try {
                    return {statusReplyFor(req, *job()), false};
                } catch (const std::exception& ex) {
                    return {errorReply({codes::internal, std::string("internal error: ") + ex.what(), req.id}), true};
                }
            },
            [self = shared_from_this()](std::pair<std::string, bool> reply) {
                if (self->closed_) return;
                if (self->sendReply(std::move(reply.first), reply.second)) self->read();
            });
    }

    // Queues a reply; false when the session closed meanwhile.
    bool sendReply(std::string reply, bool error) {
        if (error) ++shared_->stats->errors;
        queue(std::move(reply));
        return !closed_;
    }

    void queue(std::string reply) {
        reply.push_back('\n');
        backlog_ += reply.size();
        if (backlog_ > shared_->limits.maxBacklogBytes && writing_) {
            shared_->note("control: client does not read its replies (backlog over " +
                          std::to_string(shared_->limits.maxBacklogBytes) + " bytes), disconnecting");
            ++shared_->stats->disconnected;
            close();
            return;
        }
        pending_.push_back(std::move(reply));
        if (!writing_) writeNext();
    }

    void writeNext() {
        if (pending_.empty() || closed_) {
            writing_ = false;
            if (closeAfterWrite_) close();
            return;
        }
        writing_ = true;
        asio::async_write(socket_, asio::buffer(pending_.front()),
                          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                              if (self->closed_) return;
                              if (ec) {
                                  self->close();
                                  return;
                              }
                              self->backlog_ -= self->pending_.front().size();
                              if (Worker* worker = self->shared_->handler->worker();
                                  worker && self->pending_.front().size() >= kDisposeOnWorker)
                                  worker->dispose(std::move(self->pending_.front()));
                              self->pending_.pop_front();
                              self->armTimer();
                              self->writeNext();
                          });
    }

    Socket socket_;
    std::shared_ptr<ControlServer::Shared> shared_;
    asio::streambuf buffer_;
    asio::steady_timer timer_;
    std::deque<std::string> pending_;
    std::size_t backlog_ = 0;
    bool writing_ = false;
    bool closeAfterWrite_ = false;
    bool closed_ = false;
};

ControlServer::ControlServer(asio::io_context& io, std::string path, ControlHandler& handler, ServerLimits limits,
                             Logger log)
    : io_(io), path_(std::move(path)), acceptor_(io), shared_(std::make_shared<Shared>()),
      stats_(std::make_shared<ServerStats>()) {
    shared_->handler = &handler;
    shared_->limits = limits;
    shared_->log = std::move(log);
    shared_->stats = stats_;
}

ControlServer::~ControlServer() { stop(); }

std::size_t ControlServer::clients() const { return shared_->sessions.size(); }

Status ControlServer::start() {
    using asio::local::stream_protocol;
    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return Error{"control socket " + path_, EEXIST, "exists and is not a socket; not removing it"};
        // A socket someone still accepts on belongs to a running daemon: leave it alone.
        boost::system::error_code probeError;
        stream_protocol::socket probe(io_);
        probe.connect(stream_protocol::endpoint(path_), probeError);
        if (!probeError)
            return Error{"control socket " + path_, EADDRINUSE, "another daemon is listening on it"};
        ::unlink(path_.c_str());
    }
    boost::system::error_code ec;
    acceptor_.open(stream_protocol(), ec);
    if (ec) return Error{"control socket " + path_, ec.value(), ec.message()};
    // Bind with a umask that leaves only the owner's bits, then chmod: no window where others may connect.
    const mode_t old = ::umask(0177);
    acceptor_.bind(stream_protocol::endpoint(path_), ec);
    ::umask(old);
    if (ec) return Error{"control socket " + path_, ec.value(), ec.message()};
    bound_ = true;
    if (::chmod(path_.c_str(), 0600) != 0) return Error{"chmod " + path_, errno, "setting mode 0600"};
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Error{"control socket " + path_, ec.value(), ec.message()};
    accept();
    return Ok{};
}

void ControlServer::stop() {
    shared_->stopped = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    const auto sessions = shared_->sessions;
    for (Session* s : sessions) s->close();
    if (bound_) {
        ::unlink(path_.c_str());
        bound_ = false;
    }
}

void ControlServer::accept() {
    acceptor_.async_accept([this, shared = shared_](const boost::system::error_code& ec, Socket socket) {
        if (shared->stopped) return;
        if (ec) {
            if (ec != asio::error::operation_aborted) accept();
            return;
        }
        ucred cred{};
        socklen_t len = sizeof(cred);
        const bool haveCred =
            ::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0;
        auto session = std::make_shared<Session>(std::move(socket), shared);
        if (!haveCred || (cred.uid != 0 && cred.uid != ::geteuid())) {
            ++shared->stats->refusedUid;
            shared->note("control: refused a client with uid " + (haveCred ? std::to_string(cred.uid) : "?") +
                         " (only root or the daemon's user may connect)");
            session->refuse("permission_denied", "permission denied: only root may use the control socket");
        } else if (shared->sessions.size() >= shared->limits.maxClients) {
            ++shared->stats->refusedFull;
            session->refuse(codes::tooManyClients,
                            "too many clients (" + std::to_string(shared->limits.maxClients) + "), try again");
        } else {
            ++shared->stats->accepted;
            session->start();
        }
        accept();
    });
}

}  // namespace ipvsd::control
