// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Clock.h"

#include <QByteArray>
#include <QByteArrayList>
#include <QHash>
#include <QList>
#include <QString>

#include <deque>
#include <optional>
#include <utility>

namespace sunset {

// The emulated provisionOnDemand of Cloud Sync's Exchange attribute writeback job (CloudEmulator routes POSTs to
// …/servicePrincipals/{sp}/synchronization/jobs/{job}/provisionOnDemand here, and GET …/jobs/{job}/schema of the
// job it knows). Like the real provisioning agent, it writes the cloud values into AD itself, bound as an account
// of its own (OpenLDAP's ldapmodify over LDAPS), so that AD's replication metadata records the write; the answer
// follows the documented wire format (a stringKeyStringValuePair whose key and value are JSON strings).
// Refuses what the service refuses: an unknown service principal or job (404), a rule id that is not the job's,
// a subject not of the form User_<id> / User, more than 5 requests in 10 s (429 with Retry-After).
class OnDemandEmulator final {
public:
    struct Answer {
        int status = 200;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QByteArray body;
    };
    // The agent's own AD account, as the test created it.
    struct AgentAccount {
        QString ldapsUri;
        QString caFile;
        QString bindName;
        QString passwordFile;
    };
    // What to answer for an object (default Write: write the cloud values, then Success, or Skipped
    // RedundantExport when AD already held them; a refused LDAP write is Failure with the error code AD's result
    // maps to, e.g. InsufficientRights). SucceedWithoutAd: Success with the cloud values as the modified properties,
    // AD not touched (a test without a DC, whose client does not re-read AD).
    enum class Behaviour { Write, SucceedWithoutAd, SkipNotInScope, FailInsufficientRights, Forbidden, RateLimited };

    void setJob(const QString& servicePrincipalId, const QString& jobId, const QString& ruleId);
    void setAgent(const AgentAccount& agent) { m_agent = agent; }
    // The Entra object (bare id) and what the cloud holds for it: its AD object (DN) and, per LDAP attribute
    // name, the values Cloud Sync writes back.
    void setObject(const QString& entraObjectId, const QByteArray& dn, const QHash<QByteArray, QByteArrayList>& cloud);
    void setBehaviour(const QString& entraObjectId, Behaviour behaviour) { m_behaviour.insert(entraObjectId, behaviour); }
    void setClock(const Clock& clock) { m_clock = &clock; }
    // Turns the service's own rate limit off, for tests that check the client paces itself (it never hits it).
    void setEnforceRateLimit(bool enforce) { m_enforceRateLimit = enforce; }

    bool handles(const QByteArray& method, const QString& path) const;
    Answer handle(const QByteArray& method, const QString& path, const QByteArray& body);

    int provisionRequests() const { return m_requests; }
    int rateLimited() const { return m_rateLimited; }
    int adWrites() const { return m_adWrites; }
    // The send times of the requests, by the clock (for the client's pacing).
    const QList<qint64>& requestTimes() const { return m_times; }

private:
    struct Object {
        QByteArray dn;
        QHash<QByteArray, QByteArrayList> cloud;
    };
    Answer provision(const QString& entraObjectId);
    // Runs an OpenLDAP tool bound as the agent: output, or the LDAP result code with the message.
    std::pair<int, QByteArray> runAgentTool(const QString& tool, const QStringList& arguments,
                                            const QByteArray& input) const;
    std::optional<QHash<QByteArray, QByteArrayList>> readAd(const Object& object) const;
    static Answer error(int status, const QString& code, const QString& message);

    QString m_sp;
    QString m_job;
    QString m_rule;
    AgentAccount m_agent;
    QHash<QString, Object> m_objects;
    QHash<QString, Behaviour> m_behaviour;
    const Clock* m_clock = &Clock::system();
    bool m_enforceRateLimit = true;
    std::deque<qint64> m_window;
    QList<qint64> m_times;
    int m_requests = 0;
    int m_rateLimited = 0;
    int m_adWrites = 0;
};

} // namespace sunset
