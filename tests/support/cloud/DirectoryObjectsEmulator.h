// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QStringView>
#include <QUrlQuery>

#include <optional>

namespace sunset {

class CloudEmulator;

// The emulator's Graph beta groups and orgContacts with their source of authority (onPremisesSyncBehavior), kept
// apart from CloudEmulator.cpp: its dispatch routes GET /beta/groups and /beta/contacts here after the bearer
// token was checked. Strict as Graph is [documented: ../shared/reference/sync-engine.md §3, Graph's advanced
// query page]: filtering on onPremisesSyncBehavior/isCloudManaged is an advanced query, so it needs
// ConsistencyLevel: eventual and $count=true, else 400; only that filter (eq true / eq false) is understood,
// $top is 1..999, paging by an opaque $skiptoken in an absolute @odata.nextLink, @odata.count on the first page.
struct EmulatedDirectoryObjects {
    // As Graph beta returns them (id, displayName, mail, mailEnabled, securityEnabled, groupTypes,
    // onPremisesSyncEnabled), each with "isCloudManaged" (the emulator's own member, never sent: the source of
    // authority is read through the filter, as a client must).
    QJsonArray groups;
    QJsonArray contacts;
    // The app lacks the permission (Group.Read.All / OrgContact.Read.All): 403 Authorization_RequestDenied.
    bool denyGroups = false;
    bool denyContacts = false;
    int requests = 0;

    // A tenant with one of each: a synced distribution list and a synced mail-enabled security group still
    // on-premises, one already cloud-managed, a Microsoft 365 group, a cloud-only list; a synced contact
    // still on-premises and one cloud-managed.
    static EmulatedDirectoryObjects mixed();
};

EmulatedDirectoryObjects& emulatedDirectoryObjects(const CloudEmulator* emulator);

struct DirectoryObjectsAnswer {
    int status = 200;
    QJsonObject body;
};
// collection: "groups" or "contacts"; consistencyLevel: the request's ConsistencyLevel header.
DirectoryObjectsAnswer answerDirectoryObjects(const CloudEmulator* emulator, QStringView collection,
                                              const QUrlQuery& query, QByteArrayView consistencyLevel);

} // namespace sunset
