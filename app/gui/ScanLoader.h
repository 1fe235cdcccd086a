#pragma once

#include "DriftScan.h"
#include "ImportError.h"

#include <QFuture>
#include <QList>
#include <QObject>

#include <atomic>
#include <memory>

namespace sunset {

// Reads the snapshot files and compares them on a worker thread. Progress, the result and errors come back
// as queued calls on the loader's thread; nothing waits in a nested event loop. Starting a new load cancels the
// running one, whose late results are dropped.
class ScanLoader final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScanLoader)

public:
    explicit ScanLoader(QObject* parent = nullptr);
    ~ScanLoader() override; // cancels and waits for the worker, which stops at its next progress report

    void start(const ReportSources& files, const DriftOptions& options = {});
    void cancel();
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void started(const ReportSources& files);
    // stage: what is being done ("Reading demo-ad.ldif"); fraction: of that stage, 0..1.
    void progress(const QString& stage, double fraction);
    void finished(std::shared_ptr<const DriftScan> scan);
    void failed(const ImportError& error);
    void cancelled();

private:
    QList<QFuture<void>> m_workers; // a cancelled worker may still be finishing its current chunk
    std::shared_ptr<std::atomic_bool> m_cancel;
    quint64 m_generation = 0;
    bool m_running = false;
};

} // namespace sunset
