// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Checklist.h"
#include "CloudSyncState.h"
#include "ImportError.h"

#include <QByteArrayView>
#include <QString>

#include <vector>

namespace sunset {

// Readers for Cloud Sync's own state as Microsoft Graph returns it, saved to files for offline use. Each file
// holds the answers as the API gave them: one answer, several answers concatenated (one JSON text after
// another, as `>>` appends them), or a JSON array of answers. A paged answer ({"value":[…],
// "@odata.nextLink":…}) contributes its "value" items. Errors name the file, the line and the JSON path.

// GET /servicePrincipals/{id}/synchronization/jobs (or single jobs): the Exchange writeback jobs, others left out
// (counted in otherJobs when given).
Result<std::vector<WritebackJob>> readSyncJobsJson(QByteArrayView data, const QString& fileName,
                                                   qint64* otherJobs = nullptr);

// GET …/jobs/{jobId}/schema, once per job: which catalog attributes each schema maps.
Result<std::vector<WritebackSchema>> readSyncSchemaJson(QByteArrayView data, const QString& fileName);

// GET /auditLogs/provisioning pages, reduced per object. Entries of jobs other than the writeback are left out
// (a writeback job's id begins with its template id [observed]). progress is called about every MiB. The entries
// are folded into `into` (the pages read before, when a live read hands in its pages one by one), which is
// returned with them.
Result<ProvisioningLog> readProvisioningLogJson(QByteArrayView data, const QString& fileName,
                                                const ReadProgress& progress = {}, ProvisioningLog into = {});

// GET /beta/groups or /beta/contacts answers (the decommission's groups-and-contacts check): every object read,
// kind MailContact for contacts, any other kind for groups (told apart by mailEnabled, securityEnabled and
// groupTypes). Which of them block is the checklist's to judge (SyncedDirectoryObject::blocksDecommission).
Result<std::vector<SyncedDirectoryObject>> readSyncedObjectsJson(QByteArrayView data, const QString& fileName,
                                                                 SyncedObjectKind kind);

} // namespace sunset
