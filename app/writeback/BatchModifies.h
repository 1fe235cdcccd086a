// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "HistoryStore.h"
#include "LdapModify.h"

#include <QByteArray>

#include <vector>

namespace sunset {

// A stored batch in LDAP's terms: the modifies BatchApplier sends, and the same modifies as an LDIF change file
// for an admin who applies them with the directory's own tools (the history's LDIF export, `--dry-run`).

// The LDAP modifies of a stored batch: one request per object (id = the object's objectSeq), deleting the values
// read at scan time and adding the targets, per attribute.
std::vector<ModifyRequest> modifyRequestsFor(const std::vector<StoredChange>& changes);

// The batch as an LDIF change file that ldapmodify and ldifde accept: one "changetype: modify" record per object,
// delete-old/add-new per attribute (applying it refuses, like Sunset, an object whose values changed).
QByteArray batchLdif(const StoredBatch& batch, const std::vector<StoredChange>& changes);

// One batch of the history as that LDIF change file (the history export's LDIF format: `sunset-cli history
// export --format ldif --batch N` and the History window).
HistoryResult<QByteArray> batchLdifExport(const HistoryStore& store, qint64 batchId);

} // namespace sunset
