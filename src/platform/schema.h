// Schema migrations: numbered SQL steps applied once each, tracked in `schema_version`.
#pragma once

#include "platform/database.h"

namespace wa::platform {

// The newest schema version this build knows.
int latest_schema_version();

// Applies every migration newer than the database's version, each in its own transaction.
// Refuses a database written by a newer build (kind "storage").
Status migrate_schema(Database& db);

}  // namespace wa::platform
