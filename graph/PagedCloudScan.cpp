// SPDX-License-Identifier: Apache-2.0
#include "PagedCloudScan.h"

#include "CloudPager.h"

namespace sunset {

void PagedCloudScan::resume() { m_pager->resume(); }

void PagedCloudScan::cancel() { m_pager->cancel(); }

std::optional<ImportError> PagedCloudScan::error() const
{
    if (m_checkError)
        return m_checkError;
    return m_pager->error();
}

QUrl PagedCloudScan::resumeUrl() const { return m_pager->resumeUrl(); }

int PagedCloudScan::retries() const { return m_pager->retries(); }

qint64 PagedCloudScan::lastRetryDelayMsecs() const
{
    return m_pager->lastRetryDelayMsecs();
}

void PagedCloudScan::setClock(const Clock& clock)
{
    m_clock = &clock;
    m_pager->setClock(clock);
}

} // namespace sunset
