import type { DeviceView } from '../../server/devices/service.js';
import type { Zone } from '../../server/zones/service.js';
import { Empty } from './components.js';
import { Layout, type Viewer } from './layout.js';

/** Gateways on a map (Leaflet, in map.ts): markers come from the data attribute; tiles only if configured. */
export function MapPage({ viewer, devices, zones, tileUrl, now }: { viewer: Viewer; devices: DeviceView[]; zones: Zone[]; tileUrl: string | null; now: number }) {
  const zoneName = new Map(zones.map((z) => [z.id, z.name]));
  const placed = devices.filter((d) => d.lat !== null && d.lon !== null);
  const markers = placed.map((d) => ({ id: d.id, name: d.name, zone: zoneName.get(d.zoneId) ?? '', lat: d.lat, lon: d.lon, online: d.online }));
  void now;
  return (
    <Layout title="Bản đồ cụm loa" viewer={viewer} section="/cum-loa" scripts={['map.js']} styles={['map.css']}>
      <p><a href="/cum-loa">← Cụm loa</a></p>
      <h1>Bản đồ cụm loa</h1>
      {!tileUrl && <p class="muted">Chưa cấu hình bản đồ nền (MAP_TILE_URL): chỉ hiện vị trí các cụm loa.</p>}
      {placed.length ? <div id="map" class="map" data-tiles={tileUrl ?? ''} data-markers={JSON.stringify(markers)} role="region" aria-label="Bản đồ cụm loa"></div> : <Empty>Chưa cụm loa nào có vị trí (vĩ độ, kinh độ).</Empty>}
      {devices.length > placed.length && <p class="muted">{devices.length - placed.length} cụm loa chưa có vị trí: thêm vĩ độ, kinh độ ở trang của từng cụm loa.</p>}
    </Layout>
  );
}
