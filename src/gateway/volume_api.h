// VolumeApi: /api/v1/volumes, a developer's volumes and their files (rest.md, "Volumes").
// RestApi authenticates and checks the scope (read to list and download, deploy for the
// rest) before handing the call here. Everything is scoped to the caller: another user's
// volume is a 404, like one that does not exist.
//   GET    /volumes                       {"volumes": [{name, bytes, files, quota_bytes,
//                                          created_at}]}
//   POST   /volumes {name, quota_mb?}     201 the volume
//   DELETE /volumes/NAME                  204
//   GET    /volumes/NAME/files?prefix=P   {"files": [{path, size, modified_at, type}]}
//   PUT    /volumes/NAME/files/PATH       raw body; 201 created / 204 replaced
//   GET    /volumes/NAME/files/PATH       raw bytes, Content-Type by extension
//   DELETE /volumes/NAME/files/PATH       204
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/http_types.h"
#include "platform/platform.h"

namespace wa::gateway {

class VolumeApi {
 public:
  explicit VolumeApi(platform::Platform& platform) : platform_(platform) {}

  // `segments`: the decoded path below /api/v1 (segments[0] == "volumes").
  HttpResponse handle(const HttpRequest& request, const std::vector<std::string>& segments,
                      std::string_view query, int64_t owner_id);

 private:
  platform::Platform& platform_;
};

}  // namespace wa::gateway
