#include "http/health.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace certplane::http {
namespace {

using ::testing::HasSubstr;

TEST(HealthChecks, AllPassingAnswersOk) {
  HealthChecks health;
  health.AddLiveness("ping", [] { return Status::Ok(); });
  health.AddReadiness("informers", [] { return Status::Ok(); });
  HttpResponse r = health.Evaluate(true, false);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
}

TEST(HealthChecks, AFailingReadinessCheckAnswers503NamingTheCheck) {
  HealthChecks health;
  health.AddLiveness("ping", [] { return Status::Ok(); });
  health.AddReadiness("informers", [] { return Unavailable("Certificate cache not synced"); });
  HttpResponse ready = health.Evaluate(true, false);
  EXPECT_EQ(ready.status, 503);
  EXPECT_THAT(ready.body, HasSubstr("[-]informers failed: Certificate cache not synced"));
  // Not being ready is not being dead.
  EXPECT_EQ(health.Evaluate(false, false).status, 200);
}

TEST(HealthChecks, ReadinessIncludesLiveness) {
  HealthChecks health;
  health.AddLiveness("deadlock", [] { return Internal("worker stuck"); });
  EXPECT_EQ(health.Evaluate(true, false).status, 503);
}

TEST(HealthChecks, VerboseListsEveryCheck) {
  HealthChecks health;
  health.AddLiveness("ping", [] { return Status::Ok(); });
  EXPECT_EQ(health.Evaluate(false, true).body, "[+]ping ok\nhealthz check passed\n");
}

TEST(HealthChecks, RegisteredRoutesServeAllThreeEndpoints) {
  HealthChecks health;
  Router router;
  health.Register(router);
  for (const char* path : {"/healthz", "/livez", "/readyz"}) {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    EXPECT_EQ(router.Dispatch(r).status, 200) << path;
  }
}

}  // namespace
}  // namespace certplane::http
