// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudHttp.h"
#include "ImportError.h"
#include "PagedCloudScan.h"
#include "Snapshot.h"

#include <QObject>
#include <QSet>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;

namespace sunset {

class CloudPager;
class TokenProvider;

// Reads every user from Microsoft Graph: GET {endpoint}/v1.0/users with the $select of identity and Exchange
// fields, $top=999 and @odata.nextLink paging; asks for $count (ConsistencyLevel: eventual) so progress knows the
// total. Pages are parsed by the same reader as saved users files, into the same GraphDirectory.
// startDelta() reads through /v1.0/users/delta instead and keeps the @odata.deltaLink, so that a later
// startDelta(link) fetches only the users changed or removed since, and applies them to directory().
class GraphUsersClient final : public QObject, public PagedCloudScan {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GraphUsersClient)

public:
    // endpoint: "https://graph.microsoft.com" (or a national cloud's, or the emulator on loopback).
    GraphUsersClient(const QUrl& endpoint, TokenProvider* tokens, QObject* parent = nullptr);
    ~GraphUsersClient() override;

    static const QByteArray& selectedFields();
    // The token audience for an endpoint: its scheme and host ("https://graph.microsoft.com").
    static QString defaultResource(const QUrl& endpoint);

    void setResource(const QString& resource); // before start(); default defaultResource(endpoint)
    void setPageSize(int top);                 // 1..999, default 999
    void setRetryPolicy(const RetryPolicy& policy);

    QString check() const; // empty when the endpoint is acceptable
    void start();
    // Delta query. Without a link: a full read through /users/delta (the directory starts empty; progress gets
    // its total from one GET /users/$count beside it). With the deltaLink of an earlier round: only the changes,
    // applied to the directory of that round.
    void startDelta(const QByteArray& deltaLink = {});
    QByteArray deltaLink() const { return m_deltaLink; } // after a delta round finished; keep it for the next
    // The users a delta round with a link applies its changes to (those of the round that gave the link, e.g.
    // kept from an earlier run). Call before startDelta(link).
    void setDirectory(GraphDirectory directory) { m_directory = std::move(directory); }
    // True when the last delta round was answered 410 Gone and read everything again instead of the changes.
    bool resynced() const { return m_resynced; }
    qint64 changes() const { return m_changes; } // users changed or removed in the last delta round
    // The ids (lower case) the last delta round marked @removed and did not bring back: the users deleted (or
    // soft-deleted) since the round its link came from. Empty after a full round.
    QSet<QByteArray> removedIds() const;

    const GraphDirectory& directory() const { return m_directory; }

Q_SIGNALS:
    void progress(qint64 users, qint64 total); // total -1 until the service says
    void finished(bool ok);

private:
    void rebuildPager();
    void beginScan(const QString& path, QString problem);
    void resync(const QUrl& location);
    void fetchCount();

    QUrl m_endpoint;
    TokenProvider* m_tokens;
    QString m_resource;
    int m_top = 999;
    RetryPolicy m_policy;
    QNetworkAccessManager* m_network;
    bool m_delta = false;
    QByteArray m_deltaStart; // the deltaLink a delta round began from, empty for a full round
    QByteArray m_deltaLink;
    bool m_resynced = false;
    qint64 m_changes = 0;
    QSet<QByteArray> m_removedIds;
    qint64 m_countTotal = -1; // a full delta round: GET /users/$count, as delta pages carry no count
    quint64 m_countGeneration = 0;
    GraphDirectory m_directory;
};

} // namespace sunset
