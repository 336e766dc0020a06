#include "platform/user_quota.h"

#include <gtest/gtest.h>

namespace wa::platform {
namespace {

TEST(UserQuotaTest, ActionsAndBytesAreBoundedZeroMeansUnlimited) {
  UserQuota quota{2, 1000};
  EXPECT_TRUE(check_quota(quota, {1, 0}, true, 1000).ok());
  EXPECT_TRUE(check_quota(quota, {2, 500}, false, 500).ok());  // an update adds no action

  auto actions = check_quota(quota, {2, 0}, true, 10);
  ASSERT_FALSE(actions.ok());
  EXPECT_EQ(actions.error().kind, "quota_exceeded");
  EXPECT_NE(actions.error().message.find("(2)"), std::string::npos) << actions.error().message;

  auto bytes = check_quota(quota, {0, 600}, true, 401);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().kind, "quota_exceeded");
  // No overflow: a huge module cannot wrap the sum back under the limit.
  EXPECT_FALSE(check_quota(quota, {0, 600}, false, ~uint64_t{0} - 100).ok());

  UserQuota unlimited{0, 0};
  EXPECT_TRUE(check_quota(unlimited, {100000, ~uint64_t{0} - 1}, true, ~uint64_t{0}).ok());
}

}  // namespace
}  // namespace wa::platform
