// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <functional>

namespace sunset {

// What a source read says on its way, instead of printing it: sunset-cli prints warnings on stderr
// ("sunset-cli: warning: …") and notes as they are; the desktop app and the wizard show them or let them go.
// Either callback may be empty (then nobody hears it). Called on the thread that runs the read.
struct SourceReport {
    std::function<void(const QString&)> warning; // the read went on, but the admin should know (a sentence)
    std::function<void(const QString&)> note;    // a line about what was read and how

    void warn(const QString& text) const
    {
        if (warning)
            warning(text);
    }
    void tell(const QString& text) const
    {
        if (note)
            note(text);
    }
};

} // namespace sunset
