// SPDX-License-Identifier: Apache-2.0
#include "SnapshotFiles.h"

#include "AdSnapshotReader.h"
#include "CloudSyncJsonReader.h"
#include "ExoMailboxCsvReader.h"
#include "ExoMailboxJsonReader.h"
#include "GraphUsersJsonReader.h"

#include <QFileInfo>

#include <sys/mman.h>
#include <unistd.h>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

Result<std::shared_ptr<MappedFile>> MappedFile::open(const QString& path)
{
    std::shared_ptr<MappedFile> mapped(new MappedFile);
    mapped->m_file.setFileName(path);
    const QFileInfo info(path);
    if (!info.exists())
        return ImportError{path, 0, {}, u"file not found; check the path"_s};
    if (info.isDir())
        return ImportError{path, 0, {}, u"is a directory; give the export file itself"_s};
    if (!mapped->m_file.open(QIODevice::ReadOnly))
        return ImportError{path, 0, {}, u"cannot be opened: "_s + mapped->m_file.errorString()};
    if (mapped->m_file.size() == 0)
        return mapped; // mapping an empty file fails; an empty view is what the readers expect
    uchar* data = mapped->m_file.map(0, mapped->m_file.size());
    if (!data)
        return ImportError{path, 0, {}, u"cannot be read into memory: "_s + mapped->m_file.errorString()};
    mapped->m_bytes = QByteArrayView(reinterpret_cast<const char*>(data), mapped->m_file.size());
    ::madvise(data, size_t(mapped->m_file.size()), MADV_SEQUENTIAL);
    return mapped;
}

void MappedFile::releaseUpTo(qint64 offset)
{
    static const qint64 page = ::sysconf(_SC_PAGESIZE);
    const qint64 end = (offset / page) * page;
    if (end <= m_released || m_bytes.isEmpty())
        return;
    // Clean file-backed pages: dropping them only costs a re-read if they are touched again.
    auto* base = const_cast<char*>(m_bytes.data());
    ::madvise(base + m_released, size_t(end - m_released), MADV_DONTNEED);
    m_released = end;
}

CloudFileFormat detectCloudFileFormat(const QString& path, QByteArrayView head)
{
    if (path.endsWith(u".csv"_s, Qt::CaseInsensitive))
        return CloudFileFormat::GetMailboxCsv;
    if (path.endsWith(u".json"_s, Qt::CaseInsensitive))
        return CloudFileFormat::GetMailboxJson;
    for (char c : head.first(std::min<qsizetype>(head.size(), 64))) {
        if (c == '[' || c == '{')
            return CloudFileFormat::GetMailboxJson;
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && static_cast<unsigned char>(c) < 0x80)
            break;
    }
    return CloudFileFormat::GetMailboxCsv;
}

namespace {

ReadProgress readProgressFor(const QString& path, const std::shared_ptr<MappedFile>& file, const LoadProgress& progress)
{
    const double total = std::max<double>(1.0, double(file->bytes().size()));
    return [path, file, progress, total](qint64 consumed) {
        file->releaseUpTo(consumed);
        return !progress || progress(path, double(consumed) / total);
    };
}

} // namespace

Result<Snapshot> loadAdSnapshotFile(const QString& ldifPath, const LoadProgress& progress)
{
    auto file = MappedFile::open(ldifPath);
    if (!file)
        return file.error();
    return readAdSnapshotFromLdif(file.value()->bytes(), ldifPath,
                                  readProgressFor(ldifPath, file.value(), progress));
}

Result<CloudSyncState> loadCloudSyncFiles(const CloudSyncFiles& files, QStringList* unattachedSchemas,
                                          const LoadProgress& progress)
{
    CloudSyncState state;
    if (!files.jobs.isEmpty()) {
        auto file = MappedFile::open(files.jobs);
        if (!file)
            return file.error();
        auto jobs = readSyncJobsJson(file.value()->bytes(), files.jobs);
        if (!jobs)
            return jobs.error();
        state.jobsRead = true;
        state.jobsSource = files.jobs;
        state.jobs = std::move(jobs.value());
    }
    if (!files.schema.isEmpty()) {
        auto file = MappedFile::open(files.schema);
        if (!file)
            return file.error();
        auto schemas = readSyncSchemaJson(file.value()->bytes(), files.schema);
        if (!schemas)
            return schemas.error();
        state.schemaSource = files.schema;
        const QStringList unattached = state.attachSchemas(schemas.value());
        if (unattachedSchemas)
            *unattachedSchemas = unattached;
    }
    if (!files.provisioningLog.isEmpty()) {
        auto file = MappedFile::open(files.provisioningLog);
        if (!file)
            return file.error();
        auto log = readProvisioningLogJson(file.value()->bytes(), files.provisioningLog,
                                           readProgressFor(files.provisioningLog, file.value(), progress));
        if (!log)
            return log.error();
        state.provisioningRead = true;
        state.provisioningSource = files.provisioningLog;
        state.provisioning = std::move(log.value());
    }
    return state;
}

Result<GraphDirectory> loadGraphUsersFile(const QString& path, const LoadProgress& progress)
{
    auto file = MappedFile::open(path);
    if (!file)
        return file.error();
    return readGraphUsersJson(file.value()->bytes(), path,
                              readProgressFor(path, file.value(), progress));
}

Result<Snapshot> loadCloudSnapshotFile(const QString& exoPath, const GraphDirectory* graph,
                                       const LoadProgress& progress)
{
    auto file = MappedFile::open(exoPath);
    if (!file)
        return file.error();
    const QByteArrayView bytes = file.value()->bytes();
    const QString& name = exoPath;
    const ReadProgress readProgress = readProgressFor(exoPath, file.value(), progress);
    if (detectCloudFileFormat(exoPath, bytes) == CloudFileFormat::GetMailboxCsv)
        return readExoMailboxesCsv(bytes, name, graph, readProgress);
    return readExoMailboxesJson(bytes, name, graph, readProgress);
}

} // namespace sunset
