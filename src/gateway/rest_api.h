// RestApi: the JSON API under /api/v1/ that the dashboard and the CLI use.
#pragma once

#include <string_view>

#include "gateway/http_types.h"
#include "gateway/server_config.h"
#include "platform/platform.h"

namespace wa::gateway {

class RestApi {
 public:
  RestApi(platform::Platform& platform, const ServerConfig& config);

  // Runs on an API worker thread (it may hash passwords and touch the database).
  HandlerResult handle(const HttpRequest& request, const RequestInfo& info);

 private:
  struct Call;
  HandlerResult route(Call& call);
  Expected<platform::Principal> authenticate(const Call& call);

  HttpResponse register_user(Call& call);
  HttpResponse login(Call& call);
  HttpResponse me(Call& call, const platform::Principal& who);
  HttpResponse create_token(Call& call, const platform::Principal& who);
  HttpResponse list_tokens(const platform::Principal& who);
  HttpResponse revoke_token(const platform::Principal& who, std::string_view id);
  HttpResponse list_actions(const platform::Principal& who);
  HttpResponse create_action(Call& call, const platform::Principal& who);
  HttpResponse show_action(const platform::Principal& who, std::string_view name);
  HttpResponse patch_action(Call& call, const platform::Principal& who, std::string_view name);
  HttpResponse delete_action(const platform::Principal& who, std::string_view name);
  HttpResponse put_module(Call& call, const platform::Principal& who, std::string_view name);
  HttpResponse rollback(Call& call, const platform::Principal& who, std::string_view name);
  HttpResponse logs(Call& call, const platform::Principal& who, std::string_view name);
  HandlerResult log_stream(Call& call, const platform::Principal& who, std::string_view name);
  HttpResponse stats(const platform::Principal& who, std::string_view name);
  HttpResponse admin_settings(Call& call, const platform::Principal& who);
  HttpResponse admin_invites(Call& call, const platform::Principal& who);
  HttpResponse admin_users(Call& call, const platform::Principal& who);

  platform::Platform& platform_;
  const ServerConfig& config_;
};

}  // namespace wa::gateway
