// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "BatchTarget.h"
#include "LdapConnection.h"

#include <functional>
#include <memory>

namespace sunset {

// A live AD: the batch goes through BatchApplier (re-read, optimistic pipelined modifies, journal). The
// connection is made on the worker thread by the factory the connection dialog provides (connect + bind), so
// the GUI never holds the LDAP handle and no password is kept here.
class LdapBatchTarget final : public BatchTarget {
public:
    using ConnectionFactory = std::function<LdapResult<std::unique_ptr<LdapConnection>>()>;

    LdapBatchTarget(QString description, QString bindIdentity, ConnectionFactory factory);

    QString description() const override { return m_description; }
    QString bindIdentity() const override { return m_bindIdentity; }
    // Results come twice: after the re-read (conflicts found, the rest pending) and when the pipeline is done
    // (BatchApplier reports per batch, not per answer); Cancel is honoured before connecting. Both are limits of
    // BatchApplier's synchronous interface.
    HistoryResult<ApplyReport> apply(HistoryStore& store, qint64 batchId, const ApplyControl& control) override;
    HistoryResult<ApplyReport> settleInterrupted(HistoryStore& store, qint64 batchId) override;
    // A connection to the same directory, bound (on the calling thread, which owns it): e.g. for the re-read after
    // "Ask Cloud Sync to write it back now".
    LdapResult<std::unique_ptr<LdapConnection>> connect() const;

private:
    QString m_description;
    QString m_bindIdentity;
    ConnectionFactory m_factory;
};

} // namespace sunset
