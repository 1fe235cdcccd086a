// SPDX-License-Identifier: Apache-2.0
#include "OwnerOnlyFile.h"

#include <QByteArray>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryFile>

#include <cerrno>
#include <cstdio>
#include <cstring>
#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace sunset {

using namespace Qt::Literals::StringLiterals;

OwnerOnlyFile::OwnerOnlyFile(QString path, Durability durability)
    : m_path(std::move(path))
    , m_durability(durability)
{
}

OwnerOnlyFile::~OwnerOnlyFile() = default;

FileResult<void> OwnerOnlyFile::open()
{
    const QFileInfo target(m_path);
    if (target.isDir())
        return FileError{u"Cannot write %1: it is a folder; give a file name."_s.arg(QDir::toNativeSeparators(m_path))};
    // QTemporaryFile creates its file with O_EXCL and mode 0600: private before the first byte.
    m_file = std::make_unique<QTemporaryFile>(target.absolutePath() + u"/."_s + target.fileName() + u".XXXXXX"_s);
    if (!m_file->open())
        return FileError{u"Cannot write %1: %2 (the folder %3 must exist and be writable)."_s.arg(
            QDir::toNativeSeparators(m_path), m_file->errorString(), QDir::toNativeSeparators(target.absolutePath()))};
    if (m_file->permissions() & ~(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser |
                                  QFileDevice::WriteUser))
        return FileError{u"Cannot write %1: its temporary file %2 was not created owner-only."_s.arg(
            QDir::toNativeSeparators(m_path), QDir::toNativeSeparators(m_file->fileName()))};
    return {};
}

QIODevice* OwnerOnlyFile::device()
{
    return m_file.get();
}

QString OwnerOnlyFile::temporaryPath() const
{
    return m_file ? m_file->fileName() : QString();
}

FileResult<void> OwnerOnlyFile::commit()
{
    const auto failed = [this](const QString& why) {
        return FileError{u"Writing %1 failed: %2; the file was not changed."_s.arg(QDir::toNativeSeparators(m_path), why)};
    };
    if (!m_file || !m_file->isOpen())
        return failed(u"it was not opened"_s);
    if (!m_file->flush())
        return failed(m_file->errorString());
#ifdef Q_OS_UNIX
    // On disk before it takes the target's name: a crash leaves old or new.
    if (m_durability == Durability::Synced && ::fsync(m_file->handle()) != 0)
        return failed(QString::fromLocal8Bit(std::strerror(errno)));
    // A cache goes in place by a rename that replaces nothing: ext4 (auto_da_alloc) starts writing out the new
    // file's pages when a rename replaces a file, tens of milliseconds for a rescan's kept entries (measured); its
    // reader copes with the moment without either file.
    if (m_durability == Durability::CheckedOnRead)
        ::unlink(QFile::encodeName(m_path).constData());
    if (std::rename(QFile::encodeName(m_file->fileName()).constData(), QFile::encodeName(m_path).constData()) != 0)
        return failed(QString::fromLocal8Bit(std::strerror(errno)));
#else
    QFile::remove(m_path);
    if (!m_file->rename(m_path))
        return failed(m_file->errorString());
#endif
    m_file->setAutoRemove(false);
    m_file->close();
    m_file.reset();
    return {};
}

FileResult<void> writeOwnerOnlyFile(const QString& path, const QByteArray& bytes, OwnerOnlyFile::Durability durability)
{
    OwnerOnlyFile file(path, durability);
    if (auto opened = file.open(); !opened)
        return opened;
    if (file.device()->write(bytes) != bytes.size())
        return FileError{u"Writing %1 failed: %2."_s.arg(QDir::toNativeSeparators(path), file.device()->errorString())};
    return file.commit();
}

FileResult<void> makeOwnerOnlyDirectory(const QString& directory)
{
    constexpr QFileDevice::Permissions ownerOnly =
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;
    const QFileInfo info(directory);
    if (!info.exists()) {
        // The parents as the umask makes them (they are shared folders such as ~/.local/share); the leaf 0700.
        if (!QDir().mkpath(info.absolutePath()) || !QDir().mkdir(info.absoluteFilePath(), ownerOnly))
            return FileError{u"Cannot create the folder %1; check that its parent can be written."_s.arg(
                QDir::toNativeSeparators(directory))};
        return {};
    }
    if (!info.isDir())
        return FileError{u"%1 is not a folder."_s.arg(QDir::toNativeSeparators(directory))};
    QFile::setPermissions(directory, ownerOnly);
    return {};
}

} // namespace sunset
