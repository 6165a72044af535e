// @ts-check
/**
 * The commands of the desktop shell, typed with the definitions generated from the
 * Rust types (`src/bindings/`, by ts-rs): a renamed field breaks `tsc`, not a session.
 * Every failure is an `AppError` `{code, message, details}`; the UI shows it translated.
 */

/** @typedef {import('../bindings/ProductQuery').ProductQuery} ProductQuery */
/** @typedef {import('../bindings/ProductPage').ProductPage} ProductPage */
/** @typedef {import('../bindings/ProductRow').ProductRow} ProductRow */
/** @typedef {import('../bindings/ProductDetail').ProductDetail} ProductDetail */
/** @typedef {import('../bindings/ProductFields').ProductFields} ProductFields */
/** @typedef {import('../bindings/Product').Product} Product */
/** @typedef {import('../bindings/Variant').Variant} Variant */
/** @typedef {import('../bindings/Price').Price} Price */
/** @typedef {import('../bindings/ImportOptions').ImportOptions} ImportOptions */
/** @typedef {import('../bindings/ImportPreview').ImportPreview} ImportPreview */
/** @typedef {import('../bindings/ImportMappingProblem').ImportMappingProblem} ImportMappingProblem */
/** @typedef {import('../bindings/ImportPlan').ImportPlan} ImportPlan */
/** @typedef {import('../bindings/ImportApplied').ImportApplied} ImportApplied */
/** @typedef {import('../bindings/ImportRowError').ImportRowError} ImportRowError */
/** @typedef {import('../bindings/ImportBatch').ImportBatch} ImportBatch */
/** @typedef {import('../bindings/UndoSummary').UndoSummary} UndoSummary */
/** @typedef {import('../bindings/ExportOptions').ExportOptions} ExportOptions */
/** @typedef {import('../bindings/ExportSummary').ExportSummary} ExportSummary */
/** @typedef {import('../bindings/OptionAxis').OptionAxis} OptionAxis */
/** @typedef {import('../bindings/VariantFields').VariantFields} VariantFields */
/** @typedef {import('../bindings/Category').Category} Category */
/** @typedef {import('../bindings/Brand').Brand} Brand */
/** @typedef {import('../bindings/Tag').Tag} Tag */
/** @typedef {import('../bindings/PriceGroup').PriceGroup} PriceGroup */
/** @typedef {import('../bindings/Movement').Movement} Movement */
/** @typedef {import('../bindings/MovementQuery').MovementQuery} MovementQuery */
/** @typedef {import('../bindings/Change').Change} Change */
/** @typedef {import('../bindings/Order').Order} Order */
/** @typedef {import('../bindings/OrderQuery').OrderQuery} OrderQuery */
/** @typedef {import('../bindings/OrderStatus').OrderStatus} OrderStatus */
/** @typedef {import('../bindings/NewOrder').NewOrder} NewOrder */
/** @typedef {import('../bindings/Dashboard').Dashboard} Dashboard */
/** @typedef {import('../bindings/BulkChange').BulkChange} BulkChange */
/** @typedef {import('../bindings/Step').Step} Step */
/** @typedef {import('../bindings/ConnectionInfo').ConnectionInfo} ConnectionInfo */
/** @typedef {import('../bindings/Settings').Settings} SyncSettings */
/** @typedef {import('../bindings/Kind').Kind} SyncKind */
/** @typedef {import('../bindings/RunSummary').RunSummary} RunSummary */
/** @typedef {import('../bindings/Conflict').Conflict} Conflict */
/** @typedef {import('../bindings/Side').Side} Side */
/** @typedef {import('../bindings/CountSession').CountSession} CountSession */
/** @typedef {import('../bindings/CountStatus').CountStatus} CountStatus */
/** @typedef {import('../bindings/CountLine').CountLine} CountLine */
/** @typedef {import('../bindings/NewCount').NewCount} NewCount */
/** @typedef {import('../bindings/Scope').Scope} Scope */
/** @typedef {import('../bindings/ScanOutcome').ScanOutcome} ScanOutcome */
/** @typedef {import('../bindings/PostSummary').PostSummary} PostSummary */
/** @typedef {import('../bindings/Unscanned').Unscanned} Unscanned */
/** @typedef {{ name: string, extensions: string[] }} FileFilter */
/** @typedef {{ code: string, message: string, details: any }} AppError */
/** @typedef {{ db_path: string, version: string }} AppInfo */

/** @returns {any} */
function tauri() {
  return /** @type {any} */ (window).__TAURI__;
}

/**
 * @template T
 * @param {string} command
 * @param {Record<string, unknown>} [args]
 * @returns {Promise<T>}
 */
export async function call(command, args) {
  try {
    return await tauri().core.invoke(command, args);
  } catch (err) {
    throw toAppError(err);
  }
}

/**
 * Whatever was thrown, as `{code, message, details}`.
 * @param {unknown} err
 * @returns {AppError}
 */
export function toAppError(err) {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return /** @type {AppError} */ (err);
  return { code: 'app.internal', message: err instanceof Error ? err.message : String(err), details: null };
}

export const api = {
  /** @returns {Promise<AppInfo>} */
  appInfo: () => call('app_info'),
  /** @param {'window' | 'first_page'} milestone @returns {Promise<void>} */
  uiReady: (milestone) => call('ui_ready', { milestone }),
  /** Resolves once the catalog file is known to be sound; `db.corrupt` when it is not. @returns {Promise<void>} */
  dbCheck: () => call('db_check'),

  /** @param {ProductQuery} query @returns {Promise<ProductPage>} */
  searchProducts: (query) => call('products_search', { query }),
  /** @param {ProductQuery} query @returns {Promise<number>} */
  countProducts: (query) => call('products_count', { query }),
  /** @param {ProductQuery} query @returns {Promise<number[]>} */
  pageAnchors: (query) => call('products_page_anchors', { query }),
  /** @param {string} sku @returns {Promise<ProductDetail>} */
  product: (sku) => call('product_get', { sku }),
  /** @param {ProductFields} fields @returns {Promise<Product>} */
  createProduct: (fields) => call('product_create', { fields }),
  /** @param {string} sku @param {ProductFields} fields @returns {Promise<Product>} */
  updateProduct: (sku, fields) => call('product_update', { sku, fields }),
  /** @param {string} sku @returns {Promise<Product>} */
  deleteProduct: (sku) => call('product_delete', { sku }),
  /** @param {string} sku @returns {Promise<Product>} */
  restoreProduct: (sku) => call('product_restore', { sku }),
  /** @param {string} sku @param {OptionAxis[]} axes @returns {Promise<Variant[]>} */
  generateVariants: (sku, axes) => call('variants_generate', { sku, axes }),
  /** @param {string} sku @param {VariantFields} fields @returns {Promise<Variant>} */
  updateVariant: (sku, fields) => call('variant_update', { sku, fields }),
  /** @param {string} sku @returns {Promise<void>} */
  removeVariant: (sku) => call('variant_remove', { sku }),
  /** @param {string} sku @param {number} group @param {string} sale @param {string | null} list @returns {Promise<void>} */
  setPrice: (sku, group, sale, list) => call('price_set', { sku, group, sale, list }),
  /** @param {string} sku @param {string} tag @param {boolean} on @returns {Promise<void>} */
  tagProduct: (sku, tag, on) => call('product_tag', { sku, tag, on }),
  /** @param {number[]} ids @param {BulkChange} change @returns {Promise<number>} */
  bulkEdit: (ids, change) => call('products_bulk_edit', { ids, change }),

  /** @returns {Promise<Category[]>} */
  categories: () => call('categories'),
  /** @param {string} name @param {string | null} color @param {string | null} parent @returns {Promise<Category>} */
  addCategory: (name, color, parent) => call('category_add', { name, color, parent }),
  /** @param {string} name @returns {Promise<void>} */
  removeCategory: (name) => call('category_remove', { name }),
  /** @returns {Promise<Brand[]>} */
  brands: () => call('brands'),
  /** @param {string} name @returns {Promise<Brand>} */
  addBrand: (name) => call('brand_add', { name }),
  /** @param {string} name @returns {Promise<void>} */
  removeBrand: (name) => call('brand_remove', { name }),
  /** @returns {Promise<Tag[]>} */
  tags: () => call('tags'),
  /** @param {string} name @param {string | null} color @returns {Promise<Tag>} */
  addTag: (name, color) => call('tag_add', { name, color }),
  /** @param {string} name @returns {Promise<void>} */
  removeTag: (name) => call('tag_remove', { name }),
  /** @returns {Promise<PriceGroup[]>} */
  priceGroups: () => call('price_groups'),
  /** @param {number} no @param {string} name @returns {Promise<void>} */
  renamePriceGroup: (no, name) => call('price_group_rename', { no, name }),

  /** @param {string} sku @param {Change} change @param {string | null} reason @returns {Promise<Movement>} */
  adjustStock: (sku, change, reason) => call('stock_adjust', { sku, change, reason }),
  /** @param {number} id @returns {Promise<Movement>} */
  undoMovement: (id) => call('stock_undo', { id }),
  /** @param {string} sku @param {number} limit @param {number | null} before @returns {Promise<Movement[]>} */
  history: (sku, limit, before) => call('stock_history', { sku, limit, before }),
  /** @param {MovementQuery} query @returns {Promise<Movement[]>} */
  movements: (query) => call('movements_list', { query }),

  /** @param {OrderQuery} query @returns {Promise<Order[]>} */
  orders: (query) => call('orders_list', { query }),
  /** @param {string} code @returns {Promise<Order>} */
  order: (code) => call('order_get', { code }),
  /** @param {NewOrder} order @returns {Promise<Order>} */
  createOrder: (order) => call('order_create', { order }),
  /** @param {string} code @param {OrderStatus} status @returns {Promise<Order>} */
  setOrderStatus: (code, status) => call('order_set_status', { code, status }),
  /** @param {string} code @returns {Promise<Order>} */
  cancelOrder: (code) => call('order_cancel', { code }),

  /** @returns {Promise<CountSession[]>} */
  countSessions: () => call('count_sessions'),
  /** @param {NewCount} newCount @returns {Promise<CountSession>} */
  countStart: (newCount) => call('count_start', { new: newCount }),
  /** @param {number} id @returns {Promise<CountStatus>} */
  countStatus: (id) => call('count_status', { id }),
  /** @param {number} id @param {string} barcode @param {string} qty @returns {Promise<ScanOutcome>} */
  countScan: (id, barcode, qty) => call('count_scan', { id, barcode, qty }),
  /** @param {number} id @param {string} sku @param {string} qty @returns {Promise<CountLine>} */
  countSet: (id, sku, qty) => call('count_set', { id, sku, qty }),
  /** @param {number} id @param {string} barcode @param {string} sku @returns {Promise<CountLine>} */
  countLink: (id, barcode, sku) => call('count_link', { id, barcode, sku }),
  /**
   * A new product for an unknown barcode, its scans counted (one transaction).
   * @param {number} id @param {string} barcode @param {{ sku: string, name: string, unit: string, sale: string | null }} product
   * @returns {Promise<CountLine>}
   */
  countCreate: (id, barcode, { sku, name, unit, sale }) => call('count_create', { id, barcode, sku, name, unit, sale }),
  /** @param {number} id @param {string[] | null} skus null: every line @param {boolean} approved @returns {Promise<number>} */
  countApprove: (id, skus, approved) => call('count_approve', { id, skus, approved }),
  /** @param {number} id @param {Unscanned} unscanned @returns {Promise<PostSummary>} */
  countPost: (id, unscanned) => call('count_post', { id, unscanned }),
  /** @param {number} id @returns {Promise<number>} */
  countUndo: (id) => call('count_undo', { id }),
  /** @param {number} id @param {string} path @returns {Promise<number>} */
  countExport: (id, path) => call('count_export', { id, path }),
  /** @param {number} id @param {string} path @returns {Promise<number>} */
  countImport: (id, path) => call('count_import', { id, path }),

  /** @returns {Promise<Dashboard>} */
  dashboard: () => call('dashboard'),
  /** @returns {Promise<boolean>} */
  allowNegativeStock: () => call('allow_negative_stock'),
  /** @param {boolean} allow @returns {Promise<void>} */
  setAllowNegativeStock: (allow) => call('set_allow_negative_stock', { allow }),

  /**
   * Runs `backup` or `restore` with progress; `cancel()` stops it.
   * @param {'backup' | 'restore'} command
   * @param {string} path
   * @param {(step: Step) => void} onStep
   */
  longTask(command, path, onStep) {
    return withProgress(command, { path }, onStep);
  },

  /** @param {string} path @param {ImportOptions} options @returns {Promise<ImportPreview>} */
  importInspect: (path, options) => call('import_inspect', { path, options }),
  /**
   * The dry run; with `report`, every row error is also written to that file.
   * @param {string} path @param {ImportOptions} options @param {string | null} report @param {(step: Step) => void} onStep
   * @returns {{ done: Promise<ImportPlan>, cancel: () => Promise<unknown> }}
   */
  importPlan: (path, options, report, onStep) => withProgress('import_plan', { path, options, report }, onStep),
  /**
   * @param {string} path @param {ImportOptions} options @param {(step: Step) => void} onStep
   * @returns {{ done: Promise<ImportApplied>, cancel: () => Promise<unknown> }}
   */
  importApply: (path, options, onStep) => withProgress('import_apply', { path, options }, onStep),
  /** @returns {Promise<ImportBatch[]>} */
  importBatches: () => call('import_batches'),
  /** @param {number} batch @returns {Promise<UndoSummary>} */
  importUndo: (batch, force = false) => call('import_undo', { batch, force }),
  /**
   * @param {string} path @param {ExportOptions} options @param {(step: Step) => void} onStep
   * @returns {{ done: Promise<ExportSummary>, cancel: () => Promise<unknown> }}
   */
  exportCatalog: (path, options, onStep) => withProgress('export_catalog', { path, options }, onStep),

  /** @returns {Promise<ConnectionInfo[]>} */
  syncConnections: () => call('sync_connections'),
  /**
   * The token goes to the OS keychain; no command returns it. Settings left out take
   * the core's defaults.
   * @param {{ name: string, kind: SyncKind, baseUrl: string | null, token: string, settings: Partial<SyncSettings> }} spec
   * @returns {Promise<ConnectionInfo>}
   */
  addSyncConnection: (spec) => call('sync_connection_add', spec),
  /** @param {string} name @returns {Promise<void>} */
  testSyncConnection: (name) => call('sync_connection_test', { name }),
  /** @param {string} name @param {SyncSettings} settings @returns {Promise<ConnectionInfo>} */
  updateSyncSettings: (name, settings) => call('sync_settings_update', { name, settings }),
  /** @param {string} name @returns {Promise<void>} */
  removeSyncConnection: (name) => call('sync_connection_remove', { name }),
  /**
   * Syncs connection `name` in the background with progress; `cancel()` stops it.
   * @param {string} name
   * @param {(step: Step) => void} onStep
   * @returns {{ done: Promise<RunSummary>, cancel: () => Promise<boolean> }}
   */
  runSync: (name, onStep) => withProgress('sync_run', { name }, onStep),
  /** @returns {Promise<number>} */
  syncPending: () => call('sync_pending'),
  /** @param {string} name @param {number} limit @returns {Promise<RunSummary[]>} */
  syncRuns: (name, limit) => call('sync_runs', { name, limit }),
  /** @returns {Promise<Conflict[]>} */
  syncConflicts: () => call('sync_conflicts'),
  /** @param {number} id @param {Side} side @returns {Promise<Conflict>} */
  resolveConflict: (id, side) => call('sync_conflict_resolve', { id, side }),
};

/**
 * Starts a long command that reports `Step`s through a Channel and can be cancelled by id.
 * @template T
 * @param {string} command
 * @param {Record<string, unknown>} args
 * @param {(step: Step) => void} onStep
 * @returns {{ done: Promise<T>, cancel: () => Promise<boolean> }}
 */
function withProgress(command, args, onStep) {
  const task = Math.floor(Math.random() * 2 ** 31);
  const channel = new (tauri().core.Channel)();
  channel.onmessage = onStep;
  /** @type {Promise<T>} */
  const done = call(command, { ...args, task, onProgress: channel });
  return { done, cancel: () => call('task_cancel', { task }) };
}

/** What the import reads (`import::open`) and what an export or a report writes. */
export const SPREADSHEET_FILES = [{ name: 'Excel, CSV', extensions: ['xlsx', 'xlsm', 'xls', 'ods', 'csv', 'tsv', 'txt'] }];
export const OUTPUT_FILES = [{ name: 'Excel', extensions: ['xlsx'] }, { name: 'CSV', extensions: ['csv'] }];

/** @type {FileFilter[]} */
const CATALOG_FILES = [{ name: 'Raf', extensions: ['db'] }];

/** Native file dialogs (tauri-plugin-dialog). */
export const dialogs = {
  /** @param {string} defaultPath @param {FileFilter[]} [filters] @returns {Promise<string | null>} */
  save: (defaultPath, filters = CATALOG_FILES) => tauri().dialog.save({ defaultPath, filters }),
  /** @param {FileFilter[]} [filters] @returns {Promise<string | null>} */
  open: (filters = CATALOG_FILES) => tauri().dialog.open({ multiple: false, directory: false, filters }),
  /** @param {string} path @returns {Promise<void>} */
  reveal: (path) => tauri().opener.revealItemInDir(path),
};
