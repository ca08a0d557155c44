// The rabbitmq.conf keys RabbitMQ 3.10 knows (its core schema and those of
// the plugins Debian's rabbitmq-server ships), written as patterns. Warren
// accepts such a key when it has no meaning here, with one warning line,
// so an existing rabbitmq.conf starts Warren; a key outside these patterns
// is a mistake and stops start-up. Keys Warren implements are in
// conf_keys.ts and are looked up there first.
//
// Pattern syntax: segments separated by `.`; `{a,b}` is either spelling;
// `*` is any one segment (RabbitMQ's `$name`); a trailing `**` is one or
// more segments (a plugin's whole namespace, whose keys Warren never reads).

const PATTERNS: readonly string[] = [
  // Core: networking and listeners.
  "listeners.{tcp,ssl}",
  "num_acceptors.{tcp,ssl}",
  "tcp_listen_options",
  "tcp_listen_options.{buffer,delay_send,dontroute,exit_on_close,fd,high_msgq_watermark,high_watermark}",
  "tcp_listen_options.{low_msgq_watermark,low_watermark,port,priority,recbuf,send_timeout}",
  "tcp_listen_options.{send_timeout_close,sndbuf,tos}",
  "tcp_listen_options.linger.{on,timeout}",
  "{handshake_timeout,ssl_handshake_timeout,reverse_dns_lookups,proxy_protocol,initial_frame_max}",
  "{connection_max,socket_writer.gc_threshold}",
  // Core: TLS options beyond the certificate files Warren reads.
  "ssl_options",
  "ssl_options.{bypass_pem_cache,cert,client_renegotiation,crl_check,depth,dh,dhfile,honor_cipher_order}",
  "ssl_options.{honor_ecc_order,log_alert,log_level,password,psk_identity,reuse_sessions,secure_renegotiate}",
  "ssl_options.{cacerts,ciphers,versions}.*",
  "ssl_options.key.{DSAPrivateKey,PrivateKeyInfo,RSAPrivateKey}",
  "{ssl_allow_poodle_attack,ssl_cert_login_from,ssl_cert_login_san_type,ssl_cert_login_san_index}",
  // Core: authentication and access.
  "auth_mechanisms.*",
  "auth_backends.*",
  "auth_backends.*.{authn,authz}",
  "password_hashing_module",
  "credential_validator.{min_length,regexp,validation_backend}",
  // Core: resources, statistics, queues and clustering.
  "vm_memory_high_watermark_paging_ratio",
  "{vm_memory_calculation_strategy,total_memory_available_override_value,memory_monitor_interval}",
  "disk_free_limit.relative",
  "{collect_statistics,collect_statistics_interval,delegate_count,default_worker_pool_size}",
  "{queue_index_embed_msgs_below,queue_master_locator,queue_leader_locator,message_store_shutdown_timeout}",
  "{mirroring_sync_batch_size,mirroring_sync_max_throughput,classic_queue.default_version}",
  "quorum_queue.compute_checksums",
  "{background_gc_enabled,background_gc_target_interval,hipe_compile,vhost_restart_strategy}",
  "{mnesia_table_loading_retry_limit,mnesia_table_loading_retry_timeout}",
  "{cluster_keepalive_interval,cluster_partition_handling,net_ticktime,nodename,distributed_cookie}",
  "cluster_partition_handling.pause_if_all_down.recover",
  "cluster_partition_handling.pause_if_all_down.nodes.*",
  "distribution.listener.{interface,port_range.min,port_range.max}",
  "cluster_formation.**",
  "raft.{data_dir,segment_max_entries,snapshot_chunk_size,wal_hibernate_after,wal_max_batch_size}",
  "raft.{wal_max_entries,wal_max_size_bytes}",
  "{motd_file,product.name,product.version}",
  // Core: definitions import beyond a local file.
  "definitions.{import_backend,local.path,skip_if_unchanged,https.url,hashing.algorithm}",
  "definitions.tls.**",
  // Logging: categories, rotation, formats and sinks other than the console and one file.
  "log.{dir,exchange,journald,syslog}",
  "log.{console,file,exchange,syslog}.formatter",
  "log.{console,file,exchange,syslog}.formatter.{level_format,single_line,time_format,plaintext.format}",
  "log.{console,file,exchange,syslog}.formatter.json.{field_map,verbosity_map}",
  "log.console.{stdio,use_colors}",
  "log.console.color_esc_seqs.*",
  "log.file.rotation.{compress,count,date,size}",
  "log.{channel,connection,federation,mirroring,queue,ra,upgrade}.{file,level}",
  "log.{channel,connection,federation,mirroring,queue,ra,upgrade,default}.rotation.{compress,count,date,size}",
  "log.default.level",
  "log.exchange.level",
  "log.journald.{fields,level}",
  "log.syslog.**",
  // Erlang VM and its system monitor.
  "erlang.**",
  "sysmon_handler.**",
  // Management plugin: its HTTP server, TLS, CORS/CSP headers, UI and statistics.
  "management.tcp.{compress,idle_timeout,inactivity_timeout,max_keepalive,request_timeout,shutdown_timeout}",
  "management.ssl.**",
  "management.listener.{ssl,ssl_opts}",
  "management.listener.ssl_opts.**",
  "management.listener.server.**",
  "management.{cors.allow_origins,cors.max_age,csp.policy,hsts.policy,path_prefix,http_log_dir}",
  "management.cors.allow_origins.*",
  "management.headers.{content_type_options,frame_options,xss_protection}",
  "management.{db_cache_multiplier,disable_basic_auth,disable_stats,enable_queue_totals,rates_mode}",
  "management.{login_session_timeout,http.max_body_size,enable_uaa,uaa_client_id,uaa_location}",
  "management.sample_retention_policies.*.*",
  "management_agent.{disable_metrics_collector,filter_aggregated_queue_metrics_pattern}",
  // Prometheus plugin (prometheus.tcp.port is read by Warren).
  "prometheus.{path,return_per_object_metrics,filter_aggregated_queue_metrics_pattern}",
  "prometheus.tcp.{ip,compress,idle_timeout,inactivity_timeout,max_keepalive,request_timeout,shutdown_timeout}",
  "prometheus.ssl.**",
  // Other plugins Debian's package ships.
  "{mqtt,web_mqtt,stomp,web_stomp,stream,amqp1_0}.**",
  "{auth_ldap,auth_http,auth_cache,auth_oauth2,trust_store,aws}.**",
  "event_exchange.vhost",
];

/** `{a,b}` alternations expanded into plain patterns. */
function expand(pattern: string): string[] {
  const open = pattern.indexOf("{");
  if (open === -1) return [pattern];
  const close = pattern.indexOf("}", open);
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  return pattern.slice(open + 1, close).split(",").flatMap((alt) => expand(head + alt + tail));
}

const EXPANDED: readonly string[][] = PATTERNS.flatMap(expand).map((p) => p.split("."));

function matches(pattern: readonly string[], key: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === "**") return key.length > i;
    if (i >= key.length) return false;
    if (pattern[i] !== "*" && pattern[i] !== key[i]) return false;
  }
  return key.length === pattern.length;
}

/** Whether RabbitMQ 3.10 (core or a bundled plugin) knows this key. */
export function isRabbitMqKey(key: string): boolean {
  const parts = key.split(".");
  return EXPANDED.some((p) => matches(p, parts));
}

/** The known keys spelled out (no wildcards), for "did you mean" hints. */
export const RABBITMQ_LITERAL_KEYS: readonly string[] = EXPANDED
  .filter((p) => !p.includes("*") && !p.includes("**"))
  .map((p) => p.join("."));
