// SPDX-License-Identifier: Apache-2.0
#pragma once

// A test's choice of where an export goes: the next queued path, chosen at once without a dialog. With none
// queued nothing is chosen, as when the admin cancels the file dialog.
#include "SavePathChooser.h"

#include <QStringList>

namespace sunset::test {

class ScriptedSavePathChooser final : public SavePathChooser {
public:
    void queuePath(const QString& path) { m_paths.append(path); }

    void choose(QWidget*, const SaveFileRequest&, std::function<void(const QString& path)> chosen) override
    {
        if (!m_paths.isEmpty())
            chosen(m_paths.takeFirst());
    }

private:
    QStringList m_paths;
};

} // namespace sunset::test
