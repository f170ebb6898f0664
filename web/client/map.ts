// The map island: Leaflet with the gateways as circle markers (no image files), tiles only when the
// server was given a tile URL; without tiles the markers still show where the gateways stand.
import L from 'leaflet';

interface Marker { id: string; name: string; zone: string; lat: number; lon: number; online: boolean }

const el = document.getElementById('map');
if (el) {
  const markers = JSON.parse(el.dataset.markers ?? '[]') as Marker[];
  const map = L.map(el, { attributionControl: true });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: '© OpenStreetMap' }).addTo(map);
  }
  const points: L.LatLngExpression[] = [];
  for (const m of markers) {
    const at: L.LatLngExpression = [m.lat, m.lon];
    points.push(at);
    const marker = L.circleMarker(at, { radius: 9, color: '#fff', weight: 2, fillColor: m.online ? '#12632a' : '#b71c1c', fillOpacity: 0.95 }).addTo(map);
    const link = document.createElement('a');
    link.href = `/cum-loa/${encodeURIComponent(m.id)}`;
    link.textContent = m.name;
    const box = document.createElement('div');
    box.append(link, document.createElement('br'), `${m.zone} · ${m.online ? 'Trực tuyến' : 'Mất kết nối'}`);
    marker.bindPopup(box);
    // Without tiles there is nothing else to read: the names stay on the map.
    marker.bindTooltip(m.name, { permanent: !el.dataset.tiles, direction: 'right', offset: [8, 0] });
  }
  if (points.length === 1) map.setView(points[0], 15);
  else map.fitBounds(L.latLngBounds(points), { padding: [30, 30] });
}
