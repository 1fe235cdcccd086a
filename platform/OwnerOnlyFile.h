// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"

#include <QString>

#include <memory>

class QByteArray;
class QIODevice;
class QTemporaryFile;

namespace sunset {

// Why a file could not be written, naming it and what to do.
struct FileError {
    QString message;
};

template <typename T> using FileResult = Expected<T, FileError>;

// A file written owner-only from its first byte and put in place whole: the one way Sunset writes what must stay
// private (reports, exports, the kept cloud state). The bytes go to a temporary file beside the target, created
// 0600 (O_EXCL) whatever the umask, then synced and renamed over the target (a symlink there is replaced, not
// followed). Not QSaveFile: it creates its temporary file 0666 & ~umask and only a later setPermissions()
// narrows it, so another local user could open it in between and read everything written after.
class OwnerOnlyFile final {
public:
    // Synced: commit() puts the bytes on disk before the rename, so a crash leaves the old file or the new one.
    // CheckedOnRead: no sync, for caches whose reader refuses a torn file (a digest, a record count, a full parse)
    // and then reads everything afresh: a crash can leave an empty or cut file there, never a wrong answer, and
    // each scan saves a disk flush (about 10 ms for 12 MB on the development VM's ext4, measured).
    enum class Durability { Synced, CheckedOnRead };

    explicit OwnerOnlyFile(QString path, Durability durability = Durability::Synced);
    ~OwnerOnlyFile(); // without commit(): the temporary file is removed, the target untouched
    OwnerOnlyFile(const OwnerOnlyFile&) = delete;
    OwnerOnlyFile& operator=(const OwnerOnlyFile&) = delete;

    FileResult<void> open();
    QIODevice* device(); // after open()
    QString temporaryPath() const; // where the bytes are until commit()
    FileResult<void> commit();

private:
    QString m_path;
    Durability m_durability;
    std::unique_ptr<QTemporaryFile> m_file;
};

// Writes bytes to path through OwnerOnlyFile: owner-only, and a crash never leaves half a file.
FileResult<void> writeOwnerOnlyFile(const QString& path, const QByteArray& bytes,
                                    OwnerOnlyFile::Durability durability = OwnerOnlyFile::Durability::Synced);

// Creates directory (and missing parents) if needed; the directory itself is created owner-only (0700) from the
// start, not narrowed afterwards, and an existing one is narrowed to 0700. For the per-profile state directories.
FileResult<void> makeOwnerOnlyDirectory(const QString& directory);

} // namespace sunset
