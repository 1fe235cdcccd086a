// SPDX-License-Identifier: Apache-2.0
#pragma once

// A throwaway history for tests: a temporary folder with a history database opened in it, the file's path for
// sunset-cli's --db, room beside it for exports, and reopen() for what the next run of Sunset sees. The store is
// closed before the folder goes. Tests whose point is how a file is opened (identification, migrations, locking)
// open theirs themselves.
#include "HistoryStore.h"

#include <QString>
#include <QTemporaryDir>

#include <memory>
#include <utility>

namespace sunset::test {

class TemporaryHistory final {
public:
    // The actor most tests record as; a test about who acted names its own.
    static HistoryActor alice() { return {QStringLiteral("alice"), {}}; }

    explicit TemporaryHistory(HistoryActor actor = alice(), const QString& fileName = QStringLiteral("history.sqlite"))
        : m_path(m_dir.filePath(fileName))
        , m_actor(std::move(actor))
    {
        reopen();
    }
    TemporaryHistory(const TemporaryHistory&) = delete;
    TemporaryHistory& operator=(const TemporaryHistory&) = delete;

    // Opened; else error() says why, for QVERIFY2(history.isOpen(), qPrintable(history.error())).
    bool isOpen() const { return m_store != nullptr; }
    const QString& error() const { return m_error; }

    HistoryStore& store() { return *m_store; }
    HistoryStore* operator->() { return m_store.get(); }

    // The database file.
    const QString& path() const { return m_path; }
    // Another file in the same folder (exports, LDIF, reports), removed with it.
    QString filePath(const QString& name) const { return m_dir.filePath(name); }
    QString folder() const { return m_dir.path(); }

    // Closes the store and opens the same file again, as the same actor or another one.
    bool reopen() { return reopen(m_actor); }
    bool reopen(HistoryActor actor)
    {
        m_store.reset(); // the old connection goes before the new one reads the file
        m_actor = std::move(actor);
        if (!m_dir.isValid()) {
            m_error = QStringLiteral("cannot create a temporary folder: ") + m_dir.errorString();
            return false;
        }
        auto opened = HistoryStore::open(m_path, m_actor);
        if (!opened) {
            m_error = opened.error().message;
            return false;
        }
        m_error.clear();
        m_store = std::move(opened.value());
        return true;
    }
    // Closes the store; the file stays (for sunset-cli, or a test opening it its own way).
    void close() { m_store.reset(); }

private:
    QTemporaryDir m_dir; // first: made before the path is taken from it, removed after the store is closed
    QString m_path;
    HistoryActor m_actor;
    QString m_error;
    std::unique_ptr<HistoryStore> m_store;
};

} // namespace sunset::test
