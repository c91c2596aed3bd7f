// hades/migrations.h: versioned, idempotent schema changes for tables a component owns.
//
// A component (the runner, or a plugin such as "outcome_tables") lists its migrations in order;
// apply_migrations() runs each one not yet recorded in `hades_migrations`, in its own batch
// together with the row that records it, so a migration is applied exactly once even when two
// processes start at the same moment. Migrations never change once released: add a new one.
//
// Thread safety: as the Database passed in.

#ifndef HADES_MIGRATIONS_H_
#define HADES_MIGRATIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "hades/database.h"
#include "hades/status.h"

namespace hades {

struct Migration {
  int version;                          // 1, 2, 3, ... without gaps
  std::string description;              // one line, recorded with it
  std::vector<std::string> statements;  // DDL, applied in order in one transaction
};

// Brings `component`'s tables up to the last of `migrations`. Fails with kCorruption when the
// database records a version newer than this build knows (a newer hades wrote it).
Status apply_migrations(Database& db, std::string_view component,
                        const std::vector<Migration>& migrations);

}  // namespace hades

#endif  // HADES_MIGRATIONS_H_
