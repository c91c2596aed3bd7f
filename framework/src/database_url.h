// database_url.h: opens the job's database from its URL.
//
//   sqlite:///abs/path/hades.db   an absolute path
//   sqlite://var/hades.db         a path relative to the working directory
//   sqlite://:memory:             a private in-memory database (tests)
// Anything else is kInvalidConfig naming the supported schemes.

#ifndef HADES_FRAMEWORK_DATABASE_URL_H_
#define HADES_FRAMEWORK_DATABASE_URL_H_

#include <memory>
#include <string>

#include "hades/database.h"

namespace hades {

Result<std::unique_ptr<Database>> open_database(const std::string& url);

}  // namespace hades

#endif  // HADES_FRAMEWORK_DATABASE_URL_H_
