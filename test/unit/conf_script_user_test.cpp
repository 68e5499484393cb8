// conf/script_user.h: keepalived 2.2.7's rule for who runs a script, the one place every area asks.
#include "conf/script_user.h"

#include <catch2/catch.hpp>

using namespace ipvsd::conf;

TEST_CASE("script user: own user, else script_user, else keepalived_script, else root", "[conf][scripts]") {
    GlobalDefs defs;
    // nothing configured, no keepalived_script user: root, flagged so the daemon warns
    auto p = scriptPolicy(defs, false);
    REQUIRE(p.defaultRunAs);
    CHECK(*p.defaultRunAs == ScriptRunAs{"root", std::nullopt});
    CHECK(p.rootFallback);
    CHECK_FALSE(p.security);
    // keepalived_script exists
    p = scriptPolicy(defs, true);
    CHECK(*p.defaultRunAs == ScriptRunAs{"keepalived_script", std::nullopt});
    CHECK_FALSE(p.rootFallback);
    // script_user USER GROUP wins over keepalived_script
    defs.scriptUser = "nobody";
    defs.scriptGroup = "nogroup";
    p = scriptPolicy(defs, true);
    CHECK(*p.defaultRunAs == ScriptRunAs{"nobody", std::string("nogroup")});
    // the script's own USER [GROUP] wins over everything; its group is not script_user's
    CHECK(*scriptRunAs(p, std::string("www-data"), std::nullopt) == ScriptRunAs{"www-data", std::nullopt});
    CHECK(*scriptRunAs(p, std::string("root"), std::string("adm")) == ScriptRunAs{"root", std::string("adm")});
    CHECK(*scriptRunAs(p, std::nullopt, std::nullopt) == ScriptRunAs{"nobody", std::string("nogroup")});
}

TEST_CASE("script user: enable_script_security without a default user runs nothing by default", "[conf][scripts]") {
    GlobalDefs defs;
    defs.scriptSecurity = true;
    auto p = scriptPolicy(defs, false);
    CHECK(p.security);
    CHECK_FALSE(p.defaultRunAs);
    CHECK_FALSE(scriptRunAs(p, std::nullopt, std::nullopt));
    CHECK(*scriptRunAs(p, std::string("root"), std::nullopt) == ScriptRunAs{"root", std::nullopt});
    // with keepalived_script or script_user there is a default again
    CHECK(*scriptPolicy(defs, true).defaultRunAs == ScriptRunAs{"keepalived_script", std::nullopt});
    defs.scriptUser = "nobody";
    CHECK(*scriptPolicy(defs, false).defaultRunAs == ScriptRunAs{"nobody", std::nullopt});
}
