// Internal interface between the LVS area's table files (lvs*.cpp, check*.cpp).
#pragma once

#include "conf/tables/lvs_fields.h"
#include "conf/tables/tables.h"

#include <memory>

namespace ipvsd::conf::lvs {

const Table<VirtualServer>& virtualServerTable();
const Table<RealServer>& realServerTable();

// Binders for a virtual/real server block. The detached variants bind into an object the binder owns
// (a block whose header was invalid: keepalived skips it, ipvsd still checks its body).
std::unique_ptr<ScopedBinderBase> virtualServerBinder(VirtualServer& vs);
std::unique_ptr<ScopedBinderBase> detachedVirtualServer(VirtualServer vs, const Scope& scope);
std::unique_ptr<ScopedBinderBase> realServerBinder(RealServer& rs);
std::unique_ptr<ScopedBinderBase> detachedRealServer(RealServer rs);

// The real_server rows that open checker blocks (TCP_CHECK ... BFD_CHECK); the first one also writes
// every checker back, in order.
void addCheckerKeywords(std::vector<Keyword<RealServer>>& rows);
std::string_view checkerKeyword(CheckerType type);

// Binder owning its object: for blocks whose header keepalived rejects.
template <class T>
class DetachedBinder final : public ScopedBinderBase {
  public:
    DetachedBinder(T object, const Table<T>& table, typename ScopedBinder<T>::ScopedClose onClose)
        : object_(std::make_unique<T>(std::move(object))), inner_(*object_, table, onClose) {}
    Outcome statement(const Statement& s, BindContext& ctx) override {
        inner_.setScope(scope_);
        return inner_.statement(s, ctx);
    }
    void close(BindContext& ctx) override {
        inner_.setScope(scope_);
        inner_.close(ctx);
    }
    std::optional<TableView> view() const override { return inner_.view(); }
    std::unique_ptr<Binder> openForView(std::size_t index, BindContext& ctx) override {
        inner_.setScope(scope_);
        return inner_.openForView(index, ctx);
    }

  private:
    std::unique_ptr<T> object_;
    ScopedBinder<T> inner_;
};

// "[10.0.0.1]:tcp:80", "FWM 5", "[G1]:0": how keepalived names a virtual / real server in messages.
std::string describe(const VirtualServer& vs);
std::string describe(const RealServer& rs, const VirtualServer& vs);

}  // namespace ipvsd::conf::lvs
