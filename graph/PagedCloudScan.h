#pragma once

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

protected:
    PagedCloudScan() = default;
    ~PagedCloudScan() = default;

    CloudPager* m_pager = nullptr;             // owned by the client, which rebuilds it per configuration
    std::optional<ImportError> m_checkError;   // set by start() when the configuration cannot work
};

} // namespace sunset
