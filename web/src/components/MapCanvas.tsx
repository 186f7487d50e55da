import maplibregl, { type GeoJSONSource, type LngLatLike, type StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { useEffect, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countriesUrl from 'world-atlas/countries-50m.json?url';
import type { MapData, MapFeature, MapFeatureKind } from '../api/types';
import { MapPopup } from './MapPopup';

/**
 * The map itself (MapLibre GL, WebGL). Offline by construction: the only basemap is the Natural Earth
 * country outlines (public domain, via world-atlas) bundled with the app and turned into a GeoJSON
 * source at run time; no tiles, glyphs or sprites are fetched, so the style has no text layers and
 * every label lives in the popup and the legend. Loaded lazily: MapLibre stays out of the first paint.
 */

type Countries = GeoJSON.FeatureCollection;

let basemapPromise: Promise<Countries> | undefined;

/**
 * The region the basemap keeps: Europe, Africa north of the equator, the Middle East and Central
 * Asia ([west, south, east, north]). Countries wholly outside it are dropped, which halves the
 * outlines MapLibre must tile; features elsewhere are still drawn, over the sea colour.
 */
const REGION = [-35, 0, 75, 80] as const;

function overlapsRegion(f: GeoJSON.Feature): boolean {
  let w = 180;
  let s = 90;
  let e = -180;
  let n = -90;
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      w = Math.min(w, c[0]);
      e = Math.max(e, c[0]);
      s = Math.min(s, c[1] as number);
      n = Math.max(n, c[1] as number);
    } else if (Array.isArray(c)) for (const x of c) walk(x);
  };
  if (!f.geometry || f.geometry.type === 'GeometryCollection') return false;
  walk(f.geometry.coordinates);
  return e >= REGION[0] && w <= REGION[2] && n >= REGION[1] && s <= REGION[3];
}

/** The country outlines, fetched from the app's own origin once per page. */
function basemap(): Promise<Countries> {
  basemapPromise ??= fetch(countriesUrl)
    .then((r) => {
      if (!r.ok) throw new Error(`basemap answered ${r.status}`);
      return r.json() as Promise<Topology<{ countries: GeometryCollection }>>;
    })
    .then((topo) => {
      const all = feature(topo, topo.objects.countries) as Countries;
      return { type: 'FeatureCollection', features: all.features.filter(overlapsRegion) } satisfies Countries;
    })
    .catch((e: unknown) => {
      basemapPromise = undefined;
      throw e;
    });
  return basemapPromise;
}

/** Map layers per feature kind (the legend switches them). */
export const LAYERS_OF: Record<MapFeatureKind, string[]> = {
  travel: ['travel-air', 'travel-rail', 'travel-road'],
  place: ['places'],
  address: ['addresses'],
  crossing: ['crossings'],
  encounter: ['encounters'],
  meeting: ['meetings'],
  'co-location': ['co-locations'],
};
const DATA_LAYERS = Object.values(LAYERS_OF).flat();
const kindIs = (kind: MapFeatureKind) => ['==', ['get', 'kind'], kind] as ['==', ['get', string], string];

function styleWith(countries: Countries, data: MapData): StyleSpecification {
  const circle = (id: string, kind: MapFeatureKind, radius: number, color: string, stroke = '#ffffff', strokeWidth = 1.5) => ({
    id,
    type: 'circle' as const,
    source: 'tessera',
    filter: kindIs(kind),
    paint: { 'circle-radius': radius, 'circle-color': color, 'circle-stroke-color': stroke, 'circle-stroke-width': strokeWidth },
  });
  return {
    version: 8,
    sources: {
      // A coarser simplification than the default suits outlines seen at country scale.
      countries: { type: 'geojson', data: countries, tolerance: 0.8, attribution: 'Country outlines: Natural Earth (public domain)' },
      tessera: { type: 'geojson', data: data as unknown as GeoJSON.FeatureCollection, promoteId: 'fid' },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#dce6ef' } },
      { id: 'land', type: 'fill', source: 'countries', paint: { 'fill-color': '#f6f4ee' } },
      { id: 'borders', type: 'line', source: 'countries', paint: { 'line-color': '#a9a395', 'line-width': 0.7 } },
      {
        id: 'travel-air',
        type: 'line',
        source: 'tessera',
        filter: ['all', kindIs('travel'), ['==', ['get', 'mode'], 'air']],
        layout: { 'line-cap': 'round' },
        paint: { 'line-color': '#1f5fa8', 'line-width': 2.2, 'line-opacity': 0.8 },
      },
      { id: 'travel-rail', type: 'line', source: 'tessera', filter: ['all', kindIs('travel'), ['==', ['get', 'mode'], 'rail']], paint: { 'line-color': '#2e7d32', 'line-width': 2.2, 'line-opacity': 0.85 } },
      {
        id: 'travel-road',
        type: 'line',
        source: 'tessera',
        filter: ['all', kindIs('travel'), ['!', ['in', ['get', 'mode'], ['literal', ['air', 'rail']]]]],
        paint: { 'line-color': '#a35a00', 'line-width': 2.2, 'line-dasharray': [2, 1.5] },
      },
      circle('places', 'place', 3.5, '#ffffff', '#5f6b7a', 1.4),
      circle('addresses', 'address', 6.5, '#7b3fa0'),
      circle('crossings', 'crossing', 6.5, '#a35a00'),
      circle('encounters', 'encounter', 7.5, '#b3261e'),
      circle('meetings', 'meeting', 7.5, '#00838f'),
      { id: 'co-locations', type: 'circle', source: 'tessera', filter: kindIs('co-location'), paint: { 'circle-radius': 14, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#e09b00', 'circle-stroke-width': 3 } },
    ],
  };
}

const FIT = { padding: 70, maxZoom: 8 };

function boundsOf([w, s, e, n]: readonly [number, number, number, number]): [[number, number], [number, number]] {
  return [
    [w, s],
    [e, n],
  ];
}

interface Selection {
  features: MapFeature[];
  at: LngLatLike;
}

/** The canvas, the data layers and the popup for what was clicked. */
export default function MapCanvas({ data, hidden, loading }: { data: MapData; hidden: readonly MapFeatureKind[]; loading: boolean }) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | undefined>(undefined);
  const dataRef = useRef(data);
  dataRef.current = data;
  /** The data the map's source holds now. */
  const shownRef = useRef<MapData | undefined>(undefined);
  const [styleReady, setStyleReady] = useState(false);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [rendered, setRendered] = useState<number | undefined>(undefined);
  const [selection, setSelection] = useState<Selection | undefined>(undefined);
  const popupNode = useMemo(() => document.createElement('div'), []);

  useEffect(() => {
    let cancelled = false;
    let map: maplibregl.Map | undefined;
    performance.mark('tessera:map:start');
    basemap()
      .then((countries) => {
        performance.mark('tessera:map:basemap');
        if (cancelled || !container.current) return;
        // The first data go into the style and the first view is their extent: one tiling, one draw.
        const first = dataRef.current;
        shownRef.current = first;
        const view = first.bbox ? { bounds: boundsOf(first.bbox), fitBoundsOptions: FIT } : { center: [10, 47] as [number, number], zoom: 3.3 };
        try {
          map = new maplibregl.Map({
            container: container.current,
            style: styleWith(countries, first),
            ...view,
            attributionControl: { compact: false },
            // Keeps the drawn frame readable (screenshots, printing a map into a dossier).
            canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
          });
        } catch (e) {
          setFailure(`The map needs WebGL, which this browser does not provide (${e instanceof Error ? e.message : String(e)}). The features are listed below.`);
          return;
        }
        mapRef.current = map;
        map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
        map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
        map.on('load', () => {
          performance.mark('tessera:map:load');
          setStyleReady(true);
          reportDrawn(map!);
        });
        map.on('error', (e) => console.warn('map:', e.error?.message));
        map.on('click', (e) => {
          const box: [[number, number], [number, number]] = [
            [e.point.x - 5, e.point.y - 5],
            [e.point.x + 5, e.point.y + 5],
          ];
          const fids = [...new Set(map!.queryRenderedFeatures(box, { layers: DATA_LAYERS }).map((f) => String(f.properties.fid)))];
          const byId = new Map(dataRef.current.features.map((f) => [f.properties.fid, f]));
          const features = fids.map((id) => byId.get(id)).filter((f): f is MapFeature => f !== undefined);
          setSelection(features.length ? { features, at: e.lngLat } : undefined);
        });
        for (const layer of DATA_LAYERS) {
          map.on('mouseenter', layer, () => (map!.getCanvas().style.cursor = 'pointer'));
          map.on('mouseleave', layer, () => (map!.getCanvas().style.cursor = ''));
        }
      })
      .catch((e: unknown) => setFailure(`The basemap could not be loaded: ${e instanceof Error ? e.message : String(e)}`));
    return () => {
      cancelled = true;
      map?.remove();
      mapRef.current = undefined;
    };
  }, []);

  /** Once the frame is complete, says how many data features were drawn (the browser test reads it). */
  function reportDrawn(map: maplibregl.Map): void {
    map.once('idle', () => {
      performance.mark('tessera:map:drawn');
      setRendered(map.queryRenderedFeatures({ layers: DATA_LAYERS }).length);
    });
  }

  // New data: replace the source, fit the view, and report how many features were drawn.
  useEffect(() => {
    const map = mapRef.current;
    if (!styleReady || !map || shownRef.current === data) return;
    shownRef.current = data;
    setRendered(undefined);
    setSelection(undefined);
    let current = true;
    // The worker takes the data asynchronously: count what is drawn only once it has them.
    void (map.getSource('tessera') as GeoJSONSource).setData(data as unknown as GeoJSON.FeatureCollection, true).then(() => {
      if (!current || mapRef.current !== map) return;
      if (data.bbox) map.fitBounds(boundsOf(data.bbox), { ...FIT, duration: 0 });
      reportDrawn(map);
      map.triggerRepaint();
    });
    return () => {
      current = false;
    };
  }, [styleReady, data]);

  useEffect(() => {
    const map = mapRef.current;
    if (!styleReady || !map) return;
    for (const [kind, layers] of Object.entries(LAYERS_OF)) for (const l of layers) map.setLayoutProperty(l, 'visibility', hidden.includes(kind as MapFeatureKind) ? 'none' : 'visible');
  }, [styleReady, hidden]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map || !selection) return;
    const popup = new maplibregl.Popup({ maxWidth: '380px', closeOnClick: false }).setLngLat(selection.at).setDOMContent(popupNode).addTo(map);
    popup.on('close', () => setSelection((cur) => (cur === selection ? undefined : cur)));
    return () => {
      popup.remove();
    };
  }, [selection, popupNode]);

  if (failure)
    return (
      <p className="error" role="alert" data-testid="map-failure">
        {failure}
      </p>
    );
  return (
    <div
      className="map-canvas"
      ref={container}
      data-testid="map-canvas"
      data-scope={`${data.scope.kind}:${data.scope.id}${data.scope.network ? ':network' : ''}`}
      data-map-state={loading || rendered === undefined ? 'loading' : 'ready'}
      data-rendered-features={rendered ?? ''}
    >
      {selection && createPortal(<MapPopup features={selection.features} />, popupNode)}
    </div>
  );
}
