// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Clock.h"
#include "ImportError.h"

#include <QUrl>

#include <optional>

namespace sunset {

class CloudPager;

// The part of a cloud client that controls its current scan. Both clients page through a CloudPager, and a
// configuration problem found before the first request is reported like a paging error.
class PagedCloudScan {
public:
    void resume(); // after a failure: from the page that failed, keeping what was read so far
    void cancel();
    std::optional<ImportError> error() const;
    QUrl resumeUrl() const;
    int retries() const;
    qint64 lastRetryDelayMsecs() const; // see CloudPager::lastRetryDelayMsecs
    // The clock an HTTP-date Retry-After is read against; must outlive the client. Tests set a ManualClock.
    void setClock(const Clock& clock);

protected:
    PagedCloudScan() = default;
    ~PagedCloudScan() = default;

    CloudPager* m_pager = nullptr;             // owned by the client, which rebuilds it per configuration
    std::optional<ImportError> m_checkError;   // set by start() when the configuration cannot work
    const Clock* m_clock = &Clock::system();   // handed to every pager the client builds
};

} // namespace sunset
