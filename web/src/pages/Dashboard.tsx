// The supervisor's dashboard, from GET /v1/stats: cases by stage, overdue, median days in stage and
// closures by reason. Each chart has its numbers in a table beside it, for screen readers and copying.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, ok } from '../api/client';
import { Problem } from '../components/Problem';
import { useT } from '../i18n';

function Chart({ title, data, unit }: { title: string; data: Array<{ name: string; value: number }>; unit?: string }) {
  const { t } = useT();
  return (
    <figure className="card chart">
      <figcaption>
        <h2>{title}</h2>
      </figcaption>
      <div aria-hidden="true" style={{ width: '100%', height: 220 }}>
        <ResponsiveContainer>
          <BarChart accessibilityLayer={false} data={data} margin={{ left: 0, right: 8, top: 8, bottom: 40 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="name" interval={0} angle={-25} textAnchor="end" height={60} fontSize={11} />
            <YAxis allowDecimals={unit !== undefined} fontSize={11} />
            <Tooltip />
            <Bar dataKey="value" fill="#1d5c8c" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <table className="list compact">
        <caption className="sr-only">{title}</caption>
        <thead>
          <tr>
            <th scope="col">{t('dashboard.item')}</th>
            <th scope="col">{unit ?? t('dashboard.count')}</th>
          </tr>
        </thead>
        <tbody>
          {data.map((d) => (
            <tr key={d.name}>
              <th scope="row">{d.name}</th>
              <td>{d.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export default function Dashboard() {
  const { t, tx } = useT();
  const stats = useQuery({ queryKey: ['stats'], refetchInterval: 30_000, queryFn: () => ok(api.GET('/v1/stats')) });
  const s = stats.data;
  const series = (o: Record<string, number | null>, prefix: string) => Object.entries(o).map(([k, v]) => ({ name: tx(prefix, k), value: v ?? 0 }));
  return (
    <section>
      <h1>{t('dashboard.title')}</h1>
      <Problem error={stats.error} />
      {s ? (
        <>
          <ul className="kpis">
            <li className="card">
              <span className="kpi">{s.byStatus.open}</span> {t('dashboard.open')}
            </li>
            <li className="card">
              <span className="kpi">{s.overdueTasks}</span> <Link to="/overdue">{t('dashboard.overdueTasks')}</Link>
            </li>
            <li className="card">
              <span className="kpi">{s.onHold}</span> {t('dashboard.onHold')}
            </li>
            <li className="card">
              <span className="kpi">{s.byStatus.closed}</span> {t('dashboard.closed')}
            </li>
          </ul>
          <div className="charts">
            <Chart title={t('dashboard.byStage')} data={series(s.byStage, 'stage')} />
            <Chart title={t('dashboard.medianDays')} data={series(s.medianDaysInStage, 'stage')} unit={t('dashboard.days')} />
            <Chart title={t('dashboard.closedByReason')} data={series(s.closedByReason, 'enum')} />
            <Chart title={t('dashboard.byPriority')} data={series(s.byPriority, 'enum')} />
          </div>
        </>
      ) : (
        <p>{t('common.loading')}</p>
      )}
    </section>
  );
}
