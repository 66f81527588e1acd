<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>BasemapAdder</name>
    <message>
        <location filename="../../ui/map/basemap_dialogs.py" line="52"/>
        <source>添加底图</source>
        <translation>Add basemap</translation>
    </message>
    <message>
        <location filename="../../ui/map/basemap_dialogs.py" line="53"/>
        <source>底图（*.mbtiles *.tif *.tiff）;;MBTiles（*.mbtiles）;;GeoTIFF（*.tif *.tiff）</source>
        <translation>Basemaps (*.mbtiles *.tif *.tiff);;MBTiles (*.mbtiles);;GeoTIFF (*.tif *.tiff)</translation>
    </message>
    <message>
        <location filename="../../ui/map/basemap_dialogs.py" line="63"/>
        <source>正在生成底图切片：{name}</source>
        <translation>Tiling the basemap: {name}</translation>
    </message>
    <message>
        <location filename="../../ui/map/basemap_dialogs.py" line="64"/>
        <source>正在检查并添加底图：{name}</source>
        <translation>Checking and adding the basemap: {name}</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../ui/banner.py" line="21"/>
        <source>知道了</source>
        <translation>Got it</translation>
    </message>
</context>
<context>
    <name>BatchExport</name>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="103"/>
        <source>批量导出表单</source>
        <translation>Export forms</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="114"/>
        <source>选择文件夹并导出…</source>
        <translation>Choose folder and export…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="117"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="120"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="122"/>
        <source>表单</source>
        <translation>Forms</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="135"/>
        <source>导出到文件夹</source>
        <translation>Export to folder</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="142"/>
        <source>该状态下没有问题</source>
        <translation>No cases in this status</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="154"/>
        <source>已导出 {n} 份表单到 {folder}</source>
        <translation>Exported {n} forms to {folder}</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="156"/>
        <source>{n} 份未能生成：</source>
        <translation>{n} could not be written:</translation>
    </message>
</context>
<context>
    <name>CaseDetailPanel</name>
    <message>
        <source>读取问题失败：{error}</source>
        <translation>Could not read the case: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="82"/>
        <source>表单</source>
        <translation>Forms</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="91"/>
        <source>校验审计链</source>
        <translation>Verify audit log</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="97"/>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="97"/>
        <source>空间归属</source>
        <translation>Attribution</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="98"/>
        <source>核查记录</source>
        <translation>Findings</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="98"/>
        <source>证据</source>
        <translation>Evidence</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="77"/>
        <location filename="../../ui/cases/case_detail.py" line="99"/>
        <source>整改</source>
        <translation>Rectification</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="74"/>
        <source>记录核查</source>
        <translation>Record finding</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="78"/>
        <source>添加整改记录</source>
        <translation>Add rectification</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="80"/>
        <source>两断三清</source>
        <translation>Closure checklist</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="99"/>
        <source>流转记录</source>
        <translation>History</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="117"/>
        <source>在列表或地图上选择一个问题</source>
        <translation>Select a case in the list or on the map</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="156"/>
        <source>逾期 {n} 天</source>
        <translation>{n} days overdue</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="170"/>
        <source>问题类型</source>
        <translation>Problem type</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="170"/>
        <source>问题描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="171"/>
        <source>台账保护地</source>
        <translation>Ledger zone</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="172"/>
        <source>市 / 县</source>
        <translation>City / county</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="174"/>
        <source>坐标</source>
        <translation>Position</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="175"/>
        <source>面积</source>
        <translation>Area</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="176"/>
        <source>发现时间</source>
        <translation>Discovered</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="176"/>
        <source>整改时限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="177"/>
        <source>责任单位</source>
        <translation>Responsible unit</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="177"/>
        <source>线索来源</source>
        <translation>Clue source</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="194"/>
        <source>不在任何区域内</source>
        <translation>Not inside any zone</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="195"/>
        <source>；最近：{name}，{m:.0f} 米</source>
        <translation>; nearest: {name}, {m:.0f} m</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="210"/>
        <source>尚无核查记录</source>
        <translation>No findings yet</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="216"/>
        <source>期限</source>
        <translation>deadline</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="224"/>
        <source>两断三清：</source>
        <translation>Closure checklist: </translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="225"/>
        <source>尚无整改记录</source>
        <translation>No rectification yet</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="240"/>
        <source>尚无流转</source>
        <translation>No transitions yet</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="241"/>
        <source>审计日志中本问题的记录：{n} 条</source>
        <translation>Audit log entries for this case: {n}</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="262"/>
        <source>当前角色无可用流转（等待审核或已办结）</source>
        <translation>No moves for your role (awaiting review or closed)</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="278"/>
        <source>原因（必填）：</source>
        <translation>Reason (required):</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="284"/>
        <source>已转为：{state}</source>
        <translation>Moved to: {state}</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="311"/>
        <source>正在校验…</source>
        <translation>Verifying…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="316"/>
        <source>✔ 审计链完整（{n} 条记录，媒体文件无改动）</source>
        <translation>✔ Audit log intact ({n} entries, media files unchanged)</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_detail.py" line="319"/>
        <source>✖ 审计链异常：断点 {seq}，{n} 处记录或文件被改动</source>
        <translation>✖ Audit log broken at {seq}; {n} records or files changed</translation>
    </message>
    <message>
        <source>会签</source>
        <translation>Countersign</translation>
    </message>
    <message>
        <source>记录部门会签（意见、扫描件、签名）</source>
        <translation>Record a department's countersign (opinion, scan, signature)</translation>
    </message>
    <message>
        <source>公示</source>
        <translation>Publicity</translation>
    </message>
    <message>
        <source>记录销号公示（期间、地点）</source>
        <translation>Record the closure publicity (period, place)</translation>
    </message>
</context>
<context>
    <name>CaseListPanel</name>
    <message>
        <location filename="../../ui/cases/case_list.py" line="210"/>
        <source>正在查询…</source>
        <translation>Searching…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_list.py" line="41"/>
        <source>搜索问题编号、保护地、类型、描述、责任单位…</source>
        <translation>Search case no., zone, type, description, unit…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_list.py" line="43"/>
        <source>全部状态</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_list.py" line="44"/>
        <source>全部市</source>
        <translation>All cities</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_list.py" line="45"/>
        <source>全部类型</source>
        <translation>All types</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_list.py" line="46"/>
        <source>全部区域类型</source>
        <translation>All zone kinds</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_list.py" line="47"/>
        <source>仅逾期</source>
        <translation>Overdue only</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_list.py" line="141"/>
        <source>共 {n} 条问题</source>
        <translation>{n} cases</translation>
    </message>
</context>
<context>
    <name>CaseTableModel</name>
    <message>
        <location filename="../../ui/cases/case_model.py" line="254"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_model.py" line="254"/>
        <source>问题编号</source>
        <translation>Case no.</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_model.py" line="254"/>
        <source>所在区域</source>
        <translation>Zone</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_model.py" line="254"/>
        <source>功能区</source>
        <translation>Function zone</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_model.py" line="255"/>
        <source>问题类型</source>
        <translation>Problem type</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_model.py" line="255"/>
        <source>市 / 县</source>
        <translation>City / county</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_model.py" line="255"/>
        <source>整改时限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_model.py" line="255"/>
        <source>逾期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_model.py" line="295"/>
        <source>区外（距 {name} {m:.0f} 米）</source>
        <translation>Outside ({m:.0f} m from {name})</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_model.py" line="297"/>
        <source>区外</source>
        <translation>Outside</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_model.py" line="308"/>
        <source>● 逾期 {n} 天</source>
        <translation>● {n} days</translation>
    </message>
    <message>
        <location filename="../../ui/cases/case_model.py" line="314"/>
        <source>台账所填：{name}</source>
        <translation>Ledger says: {name}</translation>
    </message>
</context>
<context>
    <name>ChecklistDialog</name>
    <message>
        <location filename="../../ui/cases/rectification_dialogs.py" line="100"/>
        <source>两断三清</source>
        <translation>Closure checklist</translation>
    </message>
    <message>
        <location filename="../../ui/cases/rectification_dialogs.py" line="111"/>
        <source>备注</source>
        <translation>Note</translation>
    </message>
</context>
<context>
    <name>ConflictsDialog</name>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="77"/>
        <source>同步冲突</source>
        <translation>Sync conflicts</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="79"/>
        <source>包括已处理</source>
        <translation>Include resolved</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="81"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="89"/>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="89"/>
        <source>案件编号</source>
        <translation>Case no.</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="89"/>
        <source>内容</source>
        <translation>Record</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="89"/>
        <source>提交人</source>
        <translation>Pushed by</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="90"/>
        <source>收到时间</source>
        <translation>Received</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="90"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="92"/>
        <location filename="../../ui/sync_views/conflicts_view.py" line="195"/>
        <source>字段</source>
        <translation>Field</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="92"/>
        <location filename="../../ui/sync_views/conflicts_view.py" line="181"/>
        <source>服务器版本</source>
        <translation>Server version</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="92"/>
        <location filename="../../ui/sync_views/conflicts_view.py" line="181"/>
        <source>提交的版本</source>
        <translation>Pushed version</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="98"/>
        <source>保留服务器版本</source>
        <translation>Keep the server&apos;s version</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="99"/>
        <source>保留提交的版本</source>
        <translation>Keep the pushed version</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="123"/>
        <source>未设置同步服务器，请先登录</source>
        <translation>No sync server set up yet: log in first</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="141"/>
        <source>正在读取服务器上的冲突…</source>
        <translation>Reading the conflicts on the server…</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="169"/>
        <source>{n} 个冲突</source>
        <translation>{n} conflict(s)</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="170"/>
        <source>没有冲突</source>
        <translation>No conflicts</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="180"/>
        <source>待审核</source>
        <translation>Awaiting review</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="182"/>
        <source>已处理：保留{kept}（{by}）</source>
        <translation>Resolved: {kept} kept ({by})</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="195"/>
        <source>服务器版本（修订 {rev}）</source>
        <translation>Server version (revision {rev})</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="196"/>
        <source>{user} 提交的版本（基于修订 {base}）</source>
        <translation>Pushed by {user} (based on revision {base})</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/conflicts_view.py" line="200"/>
        <source>已删除</source>
        <translation>Deleted</translation>
    </message>
</context>
<context>
    <name>EvidenceGallery</name>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="1"/>
        <source>编辑…</source>
        <translation>Edit…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="1"/>
        <source>作废…</source>
        <translation>Void…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="1"/>
        <source>已作废：</source>
        <translation>Voided: </translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="1"/>
        <source>已保存更正</source>
        <translation>Correction saved</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="1"/>
        <source>添加文件/文档…</source>
        <translation>Add file/document…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="1"/>
        <source>添加文件/文档</source>
        <translation>Add file/document</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="1"/>
        <source>文档类型</source>
        <translation>Document type</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="1"/>
        <source>选择文档</source>
        <translation>Choose documents</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="1"/>
        <source>文档</source>
        <translation>Documents</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="84"/>
        <source>添加照片…</source>
        <translation>Add photos…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="91"/>
        <source>可将照片或无人机照片拖到此处</source>
        <translation>Drop photos or drone stills here</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="94"/>
        <source>阶段</source>
        <translation>Phase</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="130"/>
        <source>选择照片或无人机照片</source>
        <translation>Choose photos or drone stills</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="131"/>
        <source>图像</source>
        <translation>Images</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="142"/>
        <source>正在添加 {n} 个文件…</source>
        <translation>Adding {n} files…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="149"/>
        <source>已添加 {n} 个文件</source>
        <translation>Added {n} files</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="151"/>
        <source>；注意：</source>
        <translation>; note: </translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="153"/>
        <source>未能添加：</source>
        <translation>Could not add:</translation>
    </message>
</context>
<context>
    <name>EvidenceViewer</name>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="169"/>
        <source>证据</source>
        <translation>Evidence</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="186"/>
        <source>无（未使用）</source>
        <translation>none (not used)</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="188"/>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="189"/>
        <source>阶段</source>
        <translation>Phase</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="190"/>
        <source>拍摄时间 (UTC)</source>
        <translation>Taken (UTC)</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="203"/>
        <source>拍摄时间（北京时间）</source>
        <translation>Taken (Beijing time)</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="232"/>
        <source>拍摄位置</source>
        <translation>Where taken</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="191"/>
        <source>位置</source>
        <translation>Position</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="192"/>
        <source>海拔</source>
        <translation>Altitude</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="193"/>
        <source>拍摄方向</source>
        <translation>Bearing</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="194"/>
        <source>设备</source>
        <translation>Device</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="195"/>
        <source>所在区域</source>
        <translation>Zone</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="195"/>
        <source>区外</source>
        <translation>Outside</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="196"/>
        <source>功能区</source>
        <translation>Function zone</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="197"/>
        <source>覆盖面积</source>
        <translation>Footprint area</translation>
    </message>
    <message>
        <location filename="../../ui/cases/evidence_gallery.py" line="198"/>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
</context>
<context>
    <name>FilePage</name>
    <message>
        <location filename="../../ui/importers/wizard_pages.py" line="29"/>
        <source>浏览…</source>
        <translation>Browse…</translation>
    </message>
</context>
<context>
    <name>FindingForm</name>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="71"/>
        <source>核查记录 — {case}</source>
        <translation>Finding — {case}</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="82"/>
        <location filename="../../ui/cases/finding_form.py" line="86"/>
        <source>请选择</source>
        <translation>Choose</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="90"/>
        <source>现场看到的情况：设施、规模、是否在生产…</source>
        <translation>What you saw: facilities, size, whether in operation…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="94"/>
        <source>平方米，可不填</source>
        <translation>m², optional</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="95"/>
        <location filename="../../ui/cases/finding_form.py" line="178"/>
        <source>估算</source>
        <translation>estimated</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="98"/>
        <source>用 GPS 位置</source>
        <translation>Use GPS</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="99"/>
        <source>从照片读取</source>
        <translation>From photo</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="100"/>
        <location filename="../../ui/cases/finding_form.py" line="292"/>
        <source>地图选点</source>
        <translation>Pick on map</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="101"/>
        <source>用台账位置</source>
        <translation>Use ledger position</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="104"/>
        <source>地图模块未提供选点</source>
        <translation>The map offers no point picking</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="106"/>
        <source>保存核查记录</source>
        <translation>Save finding</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="108"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="109"/>
        <location filename="../../ui/cases/finding_form.py" line="114"/>
        <source>撤销</source>
        <translation>Undo</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="111"/>
        <location filename="../../ui/cases/finding_form.py" line="118"/>
        <source>重做</source>
        <translation>Redo</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="124"/>
        <source>核查人员 *</source>
        <translation>Inspectors *</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="125"/>
        <source>核查结论 *</source>
        <translation>Assessment *</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="126"/>
        <source>活动类型 *</source>
        <translation>Activity type *</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="127"/>
        <source>问题描述 *</source>
        <translation>Description *</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="128"/>
        <location filename="../../ui/cases/finding_form.py" line="178"/>
        <source>认定依据</source>
        <translation>Basis</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="132"/>
        <location filename="../../ui/cases/finding_form.py" line="178"/>
        <source>面积</source>
        <translation>Area</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="133"/>
        <location filename="../../ui/cases/finding_form.py" line="179"/>
        <source>位置</source>
        <translation>Position</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="139"/>
        <source>编辑记录</source>
        <translation>Edit history</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="141"/>
        <source>&lt;打开表单&gt;</source>
        <translation>&lt;form opened&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="176"/>
        <source>核查人员</source>
        <translation>inspectors</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="176"/>
        <source>核查结论</source>
        <translation>assessment</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="177"/>
        <source>活动类型</source>
        <translation>activity type</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="177"/>
        <source>问题描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="180"/>
        <source>修改{field}</source>
        <translation>Change {field}</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="226"/>
        <source>还没有 GPS 定位</source>
        <translation>No GPS fix yet</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="235"/>
        <source>选择带 GPS 的照片</source>
        <translation>Choose a photo with GPS</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="236"/>
        <source>图像</source>
        <translation>Images</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="242"/>
        <source>无法读取照片：{e}</source>
        <translation>Cannot read the photo: {e}</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="246"/>
        <source>照片中没有可用的 GPS 位置</source>
        <translation>The photo has no usable GPS position</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="272"/>
        <source>请填写核查人员</source>
        <translation>Enter the inspectors</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="274"/>
        <source>请选择核查结论</source>
        <translation>Choose an assessment</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="276"/>
        <source>请选择活动类型</source>
        <translation>Choose an activity type</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="278"/>
        <source>请填写问题描述</source>
        <translation>Enter a description</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="284"/>
        <source>面积须为不小于 0 的数字</source>
        <translation>Area must be a number ≥ 0</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="287"/>
        <source>位置不在江苏省内</source>
        <translation>Position is outside Jiangsu</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="292"/>
        <source>GPS</source>
        <translation>GPS</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="292"/>
        <source>照片</source>
        <translation>Photo</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="293"/>
        <source>台账</source>
        <translation>Ledger</translation>
    </message>
    <message>
        <location filename="../../ui/cases/finding_form.py" line="297"/>
        <source> ±{m:.0f} 米</source>
        <translation> ±{m:.0f} m</translation>
    </message>
    <message>
        <source>被检查单位或个人（签名时填写）</source>
        <translation>Inspected unit or person (needed to sign)</translation>
    </message>
    <message>
        <source>被检查方</source>
        <translation>Inspected party</translation>
    </message>
    <message>
        <source>核查人员签名</source>
        <translation>Inspector's signature</translation>
    </message>
    <message>
        <source>被检查方签名</source>
        <translation>Inspected party's signature</translation>
    </message>
</context>
<context>
    <name>FormPreview</name>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="1"/>
        <source>打印…</source>
        <translation>Print…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="1"/>
        <source>选择表单照片…</source>
        <translation>Choose form photos…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="1"/>
        <source>已打印 {n} 页</source>
        <translation>Printed {n} pages</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="47"/>
        <source>正在生成…</source>
        <translation>Rendering…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="48"/>
        <source>导出 PDF…</source>
        <translation>Export PDF…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="52"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="72"/>
        <source>共 {n} 页</source>
        <translation>{n} pages</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="81"/>
        <source>导出 PDF</source>
        <translation>Export PDF</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="89"/>
        <source>已导出：{path}</source>
        <translation>Exported: {path}</translation>
    </message>
</context>
<context>
    <name>LedgerCheckPage</name>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="55"/>
        <source>检查台账（不写入）</source>
        <translation>Check the ledger (dry run)</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="77"/>
        <source>列对应（可修改，修改后自动重新检查）</source>
        <translation>Column mapping (editable; checked again after each change)</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="79"/>
        <source>识别的列</source>
        <translation>Detected columns</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="81"/>
        <source>被拒绝的行</source>
        <translation>Rejected rows</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="93"/>
        <source>正在检查…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="117"/>
        <source>（无）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="138"/>
        <location filename="../../ui/importers/import_wizards.py" line="139"/>
        <location filename="../../ui/importers/import_wizards.py" line="148"/>
        <location filename="../../ui/importers/import_wizards.py" line="149"/>
        <source>工作表</source>
        <translation>Sheet</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="138"/>
        <location filename="../../ui/importers/import_wizards.py" line="148"/>
        <source>表头行</source>
        <translation>Header row</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="138"/>
        <location filename="../../ui/importers/import_wizards.py" line="148"/>
        <source>字段</source>
        <translation>Field</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="138"/>
        <location filename="../../ui/importers/import_wizards.py" line="148"/>
        <source>台账列</source>
        <translation>Ledger column</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="139"/>
        <location filename="../../ui/importers/import_wizards.py" line="149"/>
        <source>行</source>
        <translation>Row</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="139"/>
        <location filename="../../ui/importers/import_wizards.py" line="149"/>
        <source>问题编号</source>
        <translation>Case no.</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="139"/>
        <location filename="../../ui/importers/import_wizards.py" line="149"/>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="140"/>
        <source>。请在下方指定 问题编号、经度、纬度 对应的列。</source>
        <translation>. Choose the columns for 问题编号 (case number), 经度 (longitude) and 纬度 (latitude) below.</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="151"/>
        <source>列按您的修改对应。</source>
        <translation>Columns are mapped as you edited them.</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="151"/>
        <source>列的识别由程序按表头同义词完成，可在下方修改。</source>
        <translation>Columns were recognised from header synonyms; you can change them below.</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="152"/>
        <source>编码：{enc}。有效 {ok} 行，拒绝 {bad} 行。</source>
        <translation>Encoding: {enc}. {ok} valid rows, {bad} rejected.</translation>
    </message>
</context>
<context>
    <name>LedgerImportWizard</name>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="171"/>
        <source>导入问题台账</source>
        <translation>Import problem ledger</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="173"/>
        <source>选择台账文件（.xlsx / .csv）</source>
        <translation>Choose the ledger file (.xlsx / .csv)</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="173"/>
        <source>台账</source>
        <translation>Ledger</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="175"/>
        <source>导入</source>
        <translation>Import</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="184"/>
        <source>新增 {c}，更新 {u}，未变 {n}，拒绝 {r}</source>
        <translation>{c} created, {u} updated, {n} unchanged, {r} rejected</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="157"/>
        <source>登录同步服务器</source>
        <translation>Log in to the sync server</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="170"/>
        <source>不填则使用系统证书</source>
        <translation>Empty: the system&apos;s certificates</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="171"/>
        <source>选择…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="177"/>
        <source>服务器地址</source>
        <translation>Server URL</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="178"/>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="179"/>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="180"/>
        <source>CA 证书</source>
        <translation>CA certificate</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="187"/>
        <source>登录</source>
        <translation>Log in</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="193"/>
        <source>登录令牌保存在系统密钥环中；登录失败不会改动本地数据。</source>
        <translation>The login token is kept in the system keyring; a failed login changes no local data.</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="199"/>
        <source>选择 CA 证书</source>
        <translation>Choose a CA certificate</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="200"/>
        <source>证书 (*.pem *.crt *.cer);;所有文件 (*)</source>
        <translation>Certificates (*.pem *.crt *.cer);;All files (*)</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="211"/>
        <source>请填写服务器地址（https://…）、用户名和密码</source>
        <translation>Enter the server URL (https://…), user name and password</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="155"/>
        <source>统计</source>
        <translation>Statistics</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="84"/>
        <location filename="../../ui/main_window.py" line="308"/>
        <source>绿盾 Inspector — {path}</source>
        <translation>Green Shield Inspector — {path}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="121"/>
        <source>工具栏</source>
        <translation>Toolbar</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="128"/>
        <source>打开工作空间</source>
        <translation>Open workspace</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="129"/>
        <source>导入台账</source>
        <translation>Import ledger</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="130"/>
        <source>导入图层</source>
        <translation>Import zones</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="165"/>
        <source>添加底图</source>
        <translation>Add basemap</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="131"/>
        <source>批量导出表单</source>
        <translation>Export forms</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="132"/>
        <source>GPS 定位</source>
        <translation>GPS</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="133"/>
        <source>回放 NMEA</source>
        <translation>Replay NMEA</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="142"/>
        <source>核查员视图</source>
        <translation>Inspector view</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="143"/>
        <source>审核员视图</source>
        <translation>Reviewer view</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="151"/>
        <source>用户：{name}</source>
        <translation>User: {name}</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="210"/>
        <source>在地图上点击选择位置（Esc 取消）</source>
        <translation>Click on the map to pick the position (Esc cancels)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="241"/>
        <source>⚠ 已进入 {kinds}：{names}。请遵守管控要求，勿破坏生态。</source>
        <translation>⚠ You entered {kinds}: {names}. Follow the protection rules.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="246"/>
        <source>串口 GPS</source>
        <translation>Serial GPS</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="246"/>
        <source>没有系统定位源。GPS 接收机串口（如 /dev/ttyUSB0、COM3）：</source>
        <translation>No system position source. Serial port of a GPS receiver (e.g. /dev/ttyUSB0, COM3):</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="252"/>
        <source>选择 NMEA 记录</source>
        <translation>Choose an NMEA log</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="291"/>
        <source>打开工作空间文件夹</source>
        <translation>Open a workspace folder</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="301"/>
        <source>无法打开工作空间</source>
        <translation>Cannot open the workspace</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="168"/>
        <source>新建问题</source>
        <translation>New problem</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="173"/>
        <source>记录现场发现的问题：GPS 位置或地图选点</source>
        <translation>Record a problem found in the field: at the GPS position or picked on the map</translation>
    </message>
</context>
<context>
    <name>MapPlaceholder</name>
    <message>
        <location filename="../../ui/map/map_panel.py" line="70"/>
        <source>GPS：{lon:.5f}, {lat:.5f}</source>
        <translation>GPS: {lon:.5f}, {lat:.5f}</translation>
    </message>
    <message>
        <location filename="../../ui/map/map_panel.py" line="77"/>
        <source>地图模块尚未安装</source>
        <translation>The map module is not installed</translation>
    </message>
</context>
<context>
    <name>PositionFeed</name>
    <message>
        <location filename="../../ui/gps.py" line="43"/>
        <source>没有可用的系统定位源</source>
        <translation>No system position source</translation>
    </message>
    <message>
        <location filename="../../ui/gps.py" line="45"/>
        <source>系统定位</source>
        <translation>System positioning</translation>
    </message>
    <message>
        <location filename="../../ui/gps.py" line="52"/>
        <source>无法打开 NMEA 文件：{path}</source>
        <translation>Cannot open NMEA file: {path}</translation>
    </message>
    <message>
        <location filename="../../ui/gps.py" line="57"/>
        <source>NMEA 回放</source>
        <translation>NMEA replay</translation>
    </message>
    <message>
        <location filename="../../ui/gps.py" line="67"/>
        <source>无法打开串口 {port}：{error}</source>
        <translation>Cannot open serial port {port}: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/gps.py" line="72"/>
        <source>串口 GPS {port}</source>
        <translation>Serial GPS {port}</translation>
    </message>
    <message>
        <location filename="../../ui/gps.py" line="80"/>
        <source>定位出错（{code}）</source>
        <translation>Positioning error ({code})</translation>
    </message>
</context>
<context>
    <name>RectificationDialog</name>
    <message>
        <location filename="../../ui/cases/rectification_dialogs.py" line="62"/>
        <source>添加整改记录</source>
        <translation>Add rectification</translation>
    </message>
    <message>
        <location filename="../../ui/cases/rectification_dialogs.py" line="68"/>
        <source>例如：拆除违建、退养还湿、复绿</source>
        <translation>e.g. demolish, return ponds to wetland, replant</translation>
    </message>
    <message>
        <location filename="../../ui/cases/rectification_dialogs.py" line="75"/>
        <source>整改类型</source>
        <translation>Measure type</translation>
    </message>
    <message>
        <location filename="../../ui/cases/rectification_dialogs.py" line="76"/>
        <source>整改措施</source>
        <translation>Measures</translation>
    </message>
    <message>
        <location filename="../../ui/cases/rectification_dialogs.py" line="77"/>
        <source>整改时限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location filename="../../ui/cases/rectification_dialogs.py" line="78"/>
        <source>责任单位</source>
        <translation>Responsible unit</translation>
    </message>
    <message>
        <location filename="../../ui/cases/rectification_dialogs.py" line="79"/>
        <source>责任人</source>
        <translation>Responsible person</translation>
    </message>
</context>
<context>
    <name>ReviewQueuePanel</name>
    <message>
        <location filename="../../ui/review/review_queue.py" line="34"/>
        <source>退回原因（退回时必填）</source>
        <translation>Reason for returning (required to return)</translation>
    </message>
    <message>
        <location filename="../../ui/review/review_queue.py" line="35"/>
        <source>✔ 通过</source>
        <translation>✔ Approve</translation>
    </message>
    <message>
        <location filename="../../ui/review/review_queue.py" line="37"/>
        <source>↩ 退回整改</source>
        <translation>↩ Return</translation>
    </message>
    <message>
        <location filename="../../ui/review/review_queue.py" line="43"/>
        <source>待审核</source>
        <translation>Review queue</translation>
    </message>
    <message>
        <location filename="../../ui/review/review_queue.py" line="72"/>
        <source>✔ 通过 → {state}</source>
        <translation>✔ Approve → {state}</translation>
    </message>
    <message>
        <location filename="../../ui/review/review_queue.py" line="86"/>
        <source>退回须填写原因</source>
        <translation>A return needs a reason</translation>
    </message>
    <message>
        <location filename="../../ui/review/review_queue.py" line="100"/>
        <source>{case}：{old} → {new}</source>
        <translation>{case}: {old} → {new}</translation>
    </message>
    <message>
        <source>确认通过</source>
        <translation>Confirm approval</translation>
    </message>
    <message>
        <source>通过问题 {case}：{old} → {new}？
通过后将以您的名义记录，不能撤销。</source>
        <translation>Approve case {case}: {old} → {new}?
The approval is recorded in your name and cannot be undone.</translation>
    </message>
</context>
<context>
    <name>RunPage</name>
    <message>
        <location filename="../../ui/importers/wizard_pages.py" line="77"/>
        <source>取消导入</source>
        <translation>Cancel import</translation>
    </message>
    <message>
        <location filename="../../ui/importers/wizard_pages.py" line="90"/>
        <source>正在导入…</source>
        <translation>Importing…</translation>
    </message>
    <message>
        <location filename="../../ui/importers/wizard_pages.py" line="101"/>
        <source>正在取消…</source>
        <translation>Cancelling…</translation>
    </message>
</context>
<context>
    <name>StatisticsView</name>
    <message>
        <source>正在统计…</source>
        <translation>Counting…</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="80"/>
        <source>统计</source>
        <translation>Statistics</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="83"/>
        <source>按设区市</source>
        <translation>By city</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="83"/>
        <source>按县（市、区）</source>
        <translation>By county</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="84"/>
        <source>按责任单位</source>
        <translation>By responsible unit</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="84"/>
        <source>按所在区域</source>
        <translation>By zone</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="89"/>
        <source>问题总数</source>
        <translation>Cases</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="89"/>
        <source>未办结</source>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="90"/>
        <source>已办结</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="90"/>
        <source>逾期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="91"/>
        <source>按期销号率</source>
        <translation>Closed on time</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="97"/>
        <source>分组</source>
        <translation>Group</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="97"/>
        <source>问题</source>
        <translation>Cases</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="111"/>
        <source>导出台账</source>
        <translation>Export ledger</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="113"/>
        <source>导出报表</source>
        <translation>Export report</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="146"/>
        <source>各分组问题数（按状态）</source>
        <translation>Cases per group (by status)</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="146"/>
        <source>每月销号数</source>
        <translation>Closures per month</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="146"/>
        <source>未办结问题分布（按状态）</source>
        <translation>Open cases (by status)</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="166"/>
        <source>被退回的问题 {cases} 个（退回 {returns} 次）</source>
        <translation>{cases} cases returned ({returns} returns)</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="193"/>
        <source>已导出 {n} 个问题到 {file}</source>
        <translation>Exported {n} cases to {file}</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="210"/>
        <source>已生成 {file}</source>
        <translation>Wrote {file}</translation>
    </message>
    <message>
        <location filename="../../ui/reports/statistics_view.py" line="217"/>
        <source>正在导出…</source>
        <translation>Exporting…</translation>
    </message>
</context>
<context>
    <name>StatusSummary</name>
    <message>
        <location filename="../../ui/status_summary.py" line="29"/>
        <source>GPS：未启用</source>
        <translation>GPS: off</translation>
    </message>
    <message>
        <location filename="../../ui/status_summary.py" line="51"/>
        <source>待同步 {n}</source>
        <translation>{n} to sync</translation>
    </message>
    <message>
        <location filename="../../ui/status_summary.py" line="55"/>
        <source>GPS：{source}</source>
        <translation>GPS: {source}</translation>
    </message>
    <message>
        <location filename="../../ui/status_summary.py" line="58"/>
        <source> ±{m:.0f} 米</source>
        <translation> ±{m:.0f} m</translation>
    </message>
    <message>
        <location filename="../../ui/status_summary.py" line="63"/>
        <source>当前位置：不在任何区域内</source>
        <translation>Here: not inside any zone</translation>
    </message>
    <message>
        <location filename="../../ui/status_summary.py" line="68"/>
        <source>当前位置：{zone}</source>
        <translation>Here: {zone}</translation>
    </message>
</context>
<context>
    <name>SyncPanel</name>
    <message>
        <location filename="../../ui/sync_views/sync_panel.py" line="60"/>
        <source>同步</source>
        <translation>Sync</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_panel.py" line="62"/>
        <source>立即同步</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_panel.py" line="63"/>
        <source>登录同步服务器…</source>
        <translation>Log in to the sync server…</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_panel.py" line="64"/>
        <source>同步冲突…</source>
        <translation>Sync conflicts…</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_panel.py" line="90"/>
        <source>登录同步服务器后即可同步；本地数据不受影响。</source>
        <translation>Log in to a sync server to sync; local data is not affected.</translation>
    </message>
</context>
<context>
    <name>SyncResultDialog</name>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="50"/>
        <source>同步结果</source>
        <translation>Sync result</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="59"/>
        <source>同步未完成：{reason}。已完成的步骤已保存，本地数据已保留。</source>
        <translation>The sync did not finish: {reason}. Completed steps are saved; local data is kept.</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="62"/>
        <source>{time} 同步完成；{n} 条记录未被接收（冲突交办公室审核，被拒绝的见原因）</source>
        <translation>Sync finished at {time}; {n} record(s) not accepted (conflicts go to office review; see the reason of refused ones)</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="65"/>
        <source>{time} 同步完成</source>
        <translation>Sync finished at {time}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="68"/>
        <source>。{n} 条服务器记录无法在本机应用，已隔离（其余记录已正常下载；原因见下表，请告知办公室）</source>
        <translation>. {n} server record(s) cannot be applied on this device and were quarantined (all other records were applied; see the reasons below and tell the office)</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="73"/>
        <source>结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="73"/>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="73"/>
        <source>案件编号</source>
        <translation>Case no.</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="74"/>
        <source>内容</source>
        <translation>Record</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="74"/>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="87"/>
        <source>查看冲突</source>
        <translation>Show conflicts</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="99"/>
        <source>照片上传 {up}、下载 {down}</source>
        <translation>photos up {up}, down {down}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="101"/>
        <source>区域图层更新 {n}</source>
        <translation>zone layers updated {n}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="103"/>
        <source>保留本机修改 {n}</source>
        <translation>local edits kept {n}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="105"/>
        <source>待同步 {n}</source>
        <translation>{n} to sync</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="120"/>
        <source>冲突 #{id}，已交办公室审核</source>
        <translation>conflict #{id}, sent to office review</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="131"/>
        <source>共 {total} 条记录，显示前 {shown} 条</source>
        <translation>{total} records, showing the first {shown}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_dialogs.py" line="134"/>
        <source>本次没有上传记录</source>
        <translation>No records were pushed this time</translation>
    </message>
</context>
<context>
    <name>SyncStatus</name>
    <message>
        <location filename="../../ui/sync_views/sync_status.py" line="39"/>
        <source>取消同步</source>
        <translation>Cancel sync</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_status.py" line="41"/>
        <source>详情</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_status.py" line="71"/>
        <source>同步中：{phase}</source>
        <translation>Syncing: {phase}</translation>
    </message>
</context>
<context>
    <name>ZoneImportWizard</name>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="268"/>
        <source>导入区域图层</source>
        <translation>Import zone layers</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="270"/>
        <source>选择图层文件</source>
        <translation>Choose the layer file</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="270"/>
        <source>矢量数据</source>
        <translation>Vector data</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="273"/>
        <source>导入</source>
        <translation>Import</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="284"/>
        <source>图层</source>
        <translation>Layer</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="284"/>
        <source>要素</source>
        <translation>Feature</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="284"/>
        <source>情况</source>
        <translation>Issue</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="287"/>
        <source>新增 {i}，更新 {u}，未变 {n}，移除 {r}；拒绝 {x}，修复 {f}</source>
        <translation>{i} new, {u} updated, {n} unchanged, {r} removed; {x} rejected, {f} repaired</translation>
    </message>
</context>
<context>
    <name>ZoneSettingsPage</name>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="193"/>
        <source>坐标系、编码与字段</source>
        <translation>CRS, encoding and fields</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="197"/>
        <source>自动识别</source>
        <translation>Detect</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="200"/>
        <source>自动（读取 .prj）；或如 EPSG:4549</source>
        <translation>Automatic (from .prj); or e.g. EPSG:4549</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="202"/>
        <source>按文件或字段识别</source>
        <translation>From file name or field</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="205"/>
        <source>重新识别</source>
        <translation>Check again</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="215"/>
        <source>文字编码</source>
        <translation>Text encoding</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="219"/>
        <source>坐标系</source>
        <translation>CRS</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="220"/>
        <source>区域类型</source>
        <translation>Zone kind</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="224"/>
        <source>字段对应（可修改）</source>
        <translation>Field mapping (editable)</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="232"/>
        <source>正在读取…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="242"/>
        <source>图层 {name}：{n} 个要素，坐标系 {crs}，编码 {enc}</source>
        <translation>Layer {name}: {n} features, CRS {crs}, encoding {enc}</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="243"/>
        <source>未知（请填写）</source>
        <translation>unknown (enter one)</translation>
    </message>
    <message>
        <location filename="../../ui/importers/import_wizards.py" line="250"/>
        <source>（无）</source>
        <translation>(none)</translation>
    </message>
</context>
<context>
    <name>forms</name>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="28"/>
        <source>现场核查记录表</source>
        <translation>Site inspection record</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="28"/>
        <source>整改通知</source>
        <translation>Rectification notice</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_preview.py" line="29"/>
        <source>整改销号申请及验收表</source>
        <translation>Closure application and acceptance</translation>
    </message>
</context>
<context>
    <name>labels</name>
    <message>
        <location filename="../../ui/labels.py" line="1"/>
        <source>文档</source>
        <translation>Document</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="1"/>
        <source>签名</source>
        <translation>Signature</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="1"/>
        <source>整改方案</source>
        <translation>Rectification plan</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="1"/>
        <source>批复文件</source>
        <translation>Approval</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="1"/>
        <source>验收报告</source>
        <translation>Acceptance report</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="1"/>
        <source>会签意见</source>
        <translation>Countersign opinion</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="1"/>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="35"/>
        <source>待核查</source>
        <translation>To inspect</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="35"/>
        <location filename="../../ui/labels.py" line="49"/>
        <source>现场核查</source>
        <translation>Site check</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="35"/>
        <source>排除</source>
        <translation>Dismissed</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="35"/>
        <source>确认问题</source>
        <translation>Confirmed</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="36"/>
        <source>整改中</source>
        <translation>Rectifying</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="36"/>
        <source>申请销号</source>
        <translation>Closure requested</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="36"/>
        <source>县级验收</source>
        <translation>County accepted</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="37"/>
        <source>市级验收</source>
        <translation>City accepted</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="37"/>
        <source>已销号</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="37"/>
        <source>退回</source>
        <translation>Return</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="37"/>
        <source>回头看</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="43"/>
        <source>生态保护红线</source>
        <translation>Ecological red line</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="43"/>
        <source>生态空间管控区域</source>
        <translation>Ecological control area</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="44"/>
        <source>自然保护地</source>
        <translation>Protected area</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="44"/>
        <source>未分类</source>
        <translation>Unclassified</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="49"/>
        <source>整改前</source>
        <translation>Before</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="49"/>
        <source>整改后</source>
        <translation>After</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="53"/>
        <source>照片</source>
        <translation>Photo</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="53"/>
        <source>无人机照片</source>
        <translation>Drone still</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="53"/>
        <source>正射影像</source>
        <translation>Orthophoto</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="59"/>
        <source>照片位置不在江苏省内，未用作位置</source>
        <translation>Photo position outside Jiangsu; not used</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="60"/>
        <source>拍摄位置离核查点过远</source>
        <translation>Taken far from the finding</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="61"/>
        <source>照片没有 GPS 位置</source>
        <translation>Photo has no GPS position</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="62"/>
        <source>照片 GPS 数据无效</source>
        <translation>Photo GPS data invalid</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="63"/>
        <source>照片 GPS 坐标超出范围</source>
        <translation>Photo GPS out of range</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="64"/>
        <source>照片 GPS 为 (0, 0) 占位值</source>
        <translation>Photo GPS is the (0, 0) placeholder</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="65"/>
        <source>照片 GPS 数据损坏（分母为零）</source>
        <translation>Photo GPS corrupt (zero denominator)</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="66"/>
        <source>照片 GPS 秒值缺失，按 0 处理</source>
        <translation>Photo GPS seconds missing, taken as 0</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="67"/>
        <source>照片 GPS 缺少南北/东西标记</source>
        <translation>Photo GPS lacks N/S or E/W reference</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="68"/>
        <source>照片 GPS 坐标系不是 WGS84</source>
        <translation>Photo GPS datum is not WGS84</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="69"/>
        <source>相机时间与 GPS 时间不一致</source>
        <translation>Camera clock disagrees with GPS time</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="70"/>
        <source>照片没有拍摄时间</source>
        <translation>Photo has no capture time</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="71"/>
        <source>照片拍摄时间无效</source>
        <translation>Photo capture time invalid</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="72"/>
        <source>拍摄时间无时区，按北京时间处理</source>
        <translation>No time zone; Beijing time assumed</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="73"/>
        <source>拍摄时间的时区无效</source>
        <translation>Capture time zone invalid</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="74"/>
        <source>海拔数据无效</source>
        <translation>Altitude invalid</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="75"/>
        <source>海拔超出合理范围</source>
        <translation>Altitude out of range</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="76"/>
        <source>海拔为椭球高</source>
        <translation>Altitude is ellipsoidal</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="77"/>
        <source>拍摄方向无效</source>
        <translation>Bearing invalid</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="78"/>
        <source>图像尺寸与 EXIF 不符（可能经过裁剪或编辑）</source>
        <translation>Image size differs from EXIF (cropped or edited?)</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="79"/>
        <source>照片方向标记无效</source>
        <translation>Orientation tag invalid</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="80"/>
        <source>无人机相对高度未知</source>
        <translation>Drone height above ground unknown</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="81"/>
        <source>云台俯仰角未知</source>
        <translation>Gimbal pitch unknown</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="82"/>
        <source>拍摄朝向未知</source>
        <translation>Viewing direction unknown</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="83"/>
        <source>朝向取自飞行器航向</source>
        <translation>Direction taken from the aircraft heading</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="84"/>
        <source>相机视场角未知，无法计算覆盖范围</source>
        <translation>Field of view unknown; no footprint</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="85"/>
        <source>画面超出地平线，无法计算覆盖范围</source>
        <translation>View reaches the horizon; no footprint</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="93"/>
        <source>问题编号</source>
        <translation>Case no.</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="93"/>
        <source>所属问题</source>
        <translation>Case</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="94"/>
        <source>所属核查记录</source>
        <translation>Finding</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="94"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="95"/>
        <source>问题类型</source>
        <translation>Problem type</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="95"/>
        <source>问题描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="96"/>
        <source>经度</source>
        <translation>Longitude</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="96"/>
        <source>纬度</source>
        <translation>Latitude</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="97"/>
        <source>面积（平方米）</source>
        <translation>Area (m²)</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="97"/>
        <source>面积为估算</source>
        <translation>Area is an estimate</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="98"/>
        <source>整改时限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="98"/>
        <source>责任单位</source>
        <translation>Responsible unit</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="99"/>
        <source>责任人</source>
        <translation>Responsible person</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="99"/>
        <source>核查人</source>
        <translation>Inspector</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="100"/>
        <source>核查时间（UTC）</source>
        <translation>Inspected at (UTC)</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="100"/>
        <source>位置来源</source>
        <translation>Position source</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="101"/>
        <source>定位精度（米）</source>
        <translation>Accuracy (m)</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="101"/>
        <source>活动类型</source>
        <translation>Activity type</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="102"/>
        <source>核查结论</source>
        <translation>Assessment</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="102"/>
        <source>认定依据</source>
        <translation>Basis</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="103"/>
        <source>功能区</source>
        <translation>Function zone</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="103"/>
        <source>所在区域</source>
        <translation>Zones</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="104"/>
        <source>整改方式</source>
        <translation>Measure type</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="104"/>
        <source>整改措施</source>
        <translation>Measures</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="105"/>
        <source>整改进展</source>
        <translation>Progress notes</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="105"/>
        <source>断水</source>
        <translation>Water cut</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="106"/>
        <source>断电</source>
        <translation>Power cut</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="106"/>
        <source>清理原料</source>
        <translation>Materials cleared</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="107"/>
        <source>清理产品</source>
        <translation>Products cleared</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="107"/>
        <source>清理设备</source>
        <translation>Equipment cleared</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="108"/>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="108"/>
        <source>操作</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="109"/>
        <source>原状态</source>
        <translation>From state</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="109"/>
        <source>新状态</source>
        <translation>To state</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="110"/>
        <source>操作人</source>
        <translation>Actor</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="110"/>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="111"/>
        <source>理由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="111"/>
        <source>时间（UTC）</source>
        <translation>Time (UTC)</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="112"/>
        <source>阶段</source>
        <translation>Phase</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="112"/>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="113"/>
        <source>拍摄时间（UTC）</source>
        <translation>Taken at (UTC)</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="113"/>
        <source>拍摄方向（度）</source>
        <translation>Bearing (°)</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="114"/>
        <source>修订号</source>
        <translation>Revision</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="114"/>
        <source>修改时间</source>
        <translation>Updated at</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="115"/>
        <source>创建时间</source>
        <translation>Created at</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="115"/>
        <source>删除</source>
        <translation>Deleted</translation>
    </message>
</context>
<context>
    <name>operations</name>
    <message>
        <location filename="../../ui/operations.py" line="71"/>
        <source>已取消，没有写入任何内容</source>
        <translation>Cancelled; nothing was written</translation>
    </message>
    <message>
        <location filename="../../ui/operations.py" line="203"/>
        <source>读取台账</source>
        <translation>Reading the ledger</translation>
    </message>
</context>
<context>
    <name>sync</name>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="26"/>
        <source>连接服务器</source>
        <translation>connecting to the server</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="26"/>
        <source>上传照片</source>
        <translation>uploading photos</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="27"/>
        <source>上传记录</source>
        <translation>uploading records</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="27"/>
        <source>更新区域图层</source>
        <translation>updating zone layers</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="28"/>
        <source>下载记录</source>
        <translation>downloading records</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="28"/>
        <source>核对数据</source>
        <translation>checking</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="50"/>
        <source>上传 {pushed}，下载 {pulled}</source>
        <translation>pushed {pushed}, pulled {pulled}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="52"/>
        <source>，冲突 {n}</source>
        <translation>, conflicts {n}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="54"/>
        <source>，被拒绝 {n}</source>
        <translation>, rejected {n}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="56"/>
        <source>，已隔离 {n}</source>
        <translation>, quarantined {n}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="58"/>
        <source>，核对不一致</source>
        <translation>, the end check found differences</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="66"/>
        <source>{time} 已同步：{counts}</source>
        <translation>{time} synced: {counts}</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="68"/>
        <source>离线：同步服务器不可达（{time}）</source>
        <translation>Offline: sync server unreachable ({time})</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="70"/>
        <source>未设置同步服务器</source>
        <translation>No sync server set up</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="72"/>
        <source>需要重新登录同步服务器（本地数据已保留）</source>
        <translation>Log in to the sync server again (local data kept)</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="74"/>
        <source>同步已取消（本地数据已保留）</source>
        <translation>Sync cancelled (local data kept)</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="75"/>
        <source>同步失败（本地数据已保留）</source>
        <translation>Sync failed (local data kept)</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="79"/>
        <source>已接收</source>
        <translation>Accepted</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="79"/>
        <source>冲突，待审核</source>
        <translation>Conflict, awaiting review</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="80"/>
        <source>被拒绝</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="80"/>
        <source>已隔离</source>
        <translation>Quarantined</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="84"/>
        <source>案件</source>
        <translation>Case</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="84"/>
        <source>核查记录</source>
        <translation>Finding</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="85"/>
        <source>照片</source>
        <translation>Photo</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="85"/>
        <source>整改</source>
        <translation>Rectification</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="86"/>
        <source>两断三清</source>
        <translation>Closure checklist</translation>
    </message>
    <message>
        <location filename="../../ui/sync_views/sync_text.py" line="86"/>
        <source>流转</source>
        <translation>Workflow step</translation>
    </message>
</context>
<context>
    <name>SignaturePad</name>
    <message>
        <source>请在此处签名</source>
        <translation>Sign here</translation>
    </message>
</context>
<context>
    <name>SignatureDialog</name>
    <message>
        <source>签名 — {role}</source>
        <translation>Signature — {role}</translation>
    </message>
    <message>
        <source>{role}：{name}</source>
        <translation>{role}: {name}</translation>
    </message>
    <message>
        <source>用手写笔、手指或鼠标在框内签名</source>
        <translation>Sign inside the box with a pen, a finger or the mouse</translation>
    </message>
    <message>
        <source>清除</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>确定</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>不签名，继续</source>
        <translation>Continue without signing</translation>
    </message>
</context>
<context>
    <name>SignatureField</name>
    <message>
        <source>签名…</source>
        <translation>Sign…</translation>
    </message>
    <message>
        <source>清除签名</source>
        <translation>Clear signature</translation>
    </message>
    <message>
        <source>请先填写签名人姓名</source>
        <translation>Enter the signer's name first</translation>
    </message>
    <message>
        <source>未签名</source>
        <translation>Not signed</translation>
    </message>
    <message>
        <source>已签名：{name}</source>
        <translation>Signed: {name}</translation>
    </message>
</context>
<context>
    <name>CountersignDialog</name>
    <message>
        <source>会签部门的意见</source>
        <translation>The department's opinion</translation>
    </message>
    <message>
        <source>未附扫描件</source>
        <translation>No scanned document</translation>
    </message>
    <message>
        <source>选择扫描件…</source>
        <translation>Choose scan…</translation>
    </message>
    <message>
        <source>会签人</source>
        <translation>Countersigner</translation>
    </message>
    <message>
        <source>选择会签扫描件</source>
        <translation>Choose the scanned countersign document</translation>
    </message>
    <message>
        <source>请填写签署人</source>
        <translation>Enter the signer</translation>
    </message>
    <message>
        <source>请填写会签意见</source>
        <translation>Enter the opinion</translation>
    </message>
    <message>
        <source>签署日期不能晚于今天</source>
        <translation>The signing date cannot be later than today</translation>
    </message>
    <message>
        <source>会签 — {case}</source>
        <translation>Countersign — {case}</translation>
    </message>
    <message>
        <source>会签部门 *</source>
        <translation>Department *</translation>
    </message>
    <message>
        <source>签署人 *</source>
        <translation>Signer *</translation>
    </message>
    <message>
        <source>签署日期 *</source>
        <translation>Signed on *</translation>
    </message>
    <message>
        <source>会签意见 *</source>
        <translation>Opinion *</translation>
    </message>
    <message>
        <source>扫描件</source>
        <translation>Scanned document</translation>
    </message>
    <message>
        <source>签名</source>
        <translation>Signature</translation>
    </message>
    <message>
        <source>扫描件不存在：{path}</source>
        <translation>The scanned document does not exist: {path}</translation>
    </message>
</context>
<context>
    <name>PublicityDialog</name>
    <message>
        <source>例如：县政府网站、村务公开栏</source>
        <translation>e.g. county government website, village notice board</translation>
    </message>
    <message>
        <source>公示结束日期不能早于开始日期</source>
        <translation>The publicity cannot end before it starts</translation>
    </message>
    <message>
        <source>请填写公示地点</source>
        <translation>Enter where it was published</translation>
    </message>
    <message>
        <source>公示 — {case}</source>
        <translation>Publicity — {case}</translation>
    </message>
    <message>
        <source>公示开始 *</source>
        <translation>From *</translation>
    </message>
    <message>
        <source>公示结束 *</source>
        <translation>To *</translation>
    </message>
    <message>
        <source>公示地点 *</source>
        <translation>Published at *</translation>
    </message>
</context>
<context>
    <name>SpotCheckDialog</name>
    <message>
        <source>抽查确认：整改到位，维持销号</source>
        <translation>Confirmed: rectified, the case stays closed</translation>
    </message>
    <message>
        <source>重新打开：问题未整改到位，退回整改中</source>
        <translation>Reopen: not rectified, back to rectification</translation>
    </message>
    <message>
        <source>抽查情况（重新打开时必填）</source>
        <translation>What the spot check found (required to reopen)</translation>
    </message>
    <message>
        <source>只能抽查已销号的问题</source>
        <translation>Only closed cases can be spot-checked</translation>
    </message>
    <message>
        <source>重新打开须填写原因</source>
        <translation>Reopening needs a reason</translation>
    </message>
    <message>
        <source>省级抽查 — {case}</source>
        <translation>Provincial spot check — {case}</translation>
    </message>
    <message>
        <source>当前状态：{state}</source>
        <translation>Current state: {state}</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>登录 — 谁在工作？</source>
        <translation>Sign in — who is working?</translation>
    </message>
    <message>
        <source>请选择您的账号并输入密码。记录、表单和签名都以登录的账号署名。</source>
        <translation>Choose your account and enter its password. Records, forms and signatures carry the name of the signed-in account.</translation>
    </message>
    <message>
        <source>工作空间：{path}</source>
        <translation>Workspace: {path}</translation>
    </message>
    <message>
        <source>本单位账号</source>
        <translation>Accounts of this office</translation>
    </message>
    <message>
        <source>不填则使用系统证书</source>
        <translation>Empty: the system&apos;s certificates</translation>
    </message>
    <message>
        <source>服务器账号</source>
        <translation>Server account</translation>
    </message>
    <message>
        <source>登录</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <source>以本机用户继续</source>
        <translation>Continue as this device&apos;s user</translation>
    </message>
    <message>
        <source>退出程序</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>核查员</source>
        <translation>inspector</translation>
    </message>
    <message>
        <source>审核员</source>
        <translation>reviewer</translation>
    </message>
    <message>
        <source>管理员</source>
        <translation>administrator</translation>
    </message>
    <message>
        <source>省级</source>
        <translation>province</translation>
    </message>
    <message>
        <source>市级</source>
        <translation>city</translation>
    </message>
    <message>
        <source>县级</source>
        <translation>county</translation>
    </message>
    <message>
        <source>本工作空间的账号（同一单位的同事共用此工作空间）：</source>
        <translation>Accounts of this workspace (colleagues of one office share it):</translation>
    </message>
    <message>
        <source>服务器地址</source>
        <translation>Server address</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>CA 证书</source>
        <translation>CA certificate</translation>
    </message>
    <message>
        <source>其他服务器账号在本机使用各自的工作空间（配置文件），互不可见；当前工作空间及其未同步的记录保持不变。</source>
        <translation>Any other server account works in its own workspace (profile) on this device, unseen by the others; this workspace and its unsynced records stay as they are.</translation>
    </message>
    <message>
        <source>请选择账号并输入密码</source>
        <translation>Choose an account and enter its password</translation>
    </message>
    <message>
        <source>请填写服务器地址（https://…）、用户名和密码</source>
        <translation>Fill in the server address (https://…), user name and password</translation>
    </message>
</context>
<context>
    <name>AccountSwitcher</name>
    <message>
        <source>切换用户</source>
        <translation>Switch user</translation>
    </message>
    <message>
        <source>退出当前账号并选择谁在工作</source>
        <translation>Sign the current account out and choose who is working</translation>
    </message>
    <message>
        <source>退出登录（关闭窗口）</source>
        <translation>Sign out (close the window)</translation>
    </message>
    <message>
        <source>用户：{name}</source>
        <translation>User: {name}</translation>
    </message>
    <message>
        <source>未登录</source>
        <translation>Not signed in</translation>
    </message>
    <message>
        <source>已退出登录。请选择下一位用户。</source>
        <translation>Signed out. Choose who works next.</translation>
    </message>
    <message>
        <source>新的工作空间</source>
        <translation>New workspace</translation>
    </message>
    <message>
        <source>{name} 的工作空间是新建的，还没有案件。现在从服务器同步本辖区的数据吗？</source>
        <translation>{name}&apos;s workspace is new and holds no cases yet. Sync this jurisdiction&apos;s data from the server now?</translation>
    </message>
    <message>
        <source>立即同步</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <source>稍后</source>
        <translation>Later</translation>
    </message>
</context>
<context>
    <name>ImageryComparison</name>
    <message>
        <location filename="../../ui/cases/imagery_comparison.py" line="26"/>
        <source>前后两期影像对比</source>
        <translation>Before/after imagery</translation>
    </message>
    <message>
        <location filename="../../ui/cases/imagery_comparison.py" line="43"/>
        <source>前时相</source>
        <translation>Before</translation>
    </message>
    <message>
        <location filename="../../ui/cases/imagery_comparison.py" line="43"/>
        <source>后时相</source>
        <translation>After</translation>
    </message>
    <message>
        <location filename="../../ui/cases/imagery_comparison.py" line="49"/>
        <source>没有覆盖该图斑的影像时相（imagery add）</source>
        <translation>No imagery epoch covers this patch (imagery add)</translation>
    </message>
    <message>
        <location filename="../../ui/cases/imagery_comparison.py" line="56"/>
        <source>（无影像）</source>
        <translation>(no imagery)</translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="40"/>
        <source>新建问题</source>
        <translation>New problem</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="47"/>
        <source>从台账的问题类型中选择，或直接填写</source>
        <translation>Pick a problem type from the ledger, or type one</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="49"/>
        <source>现场发现的情况：设施、规模、是否在生产…</source>
        <translation>What you found on site: facilities, size, whether in operation…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="52"/>
        <source>用 GPS 位置</source>
        <translation>Use GPS</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="53"/>
        <source>地图选点</source>
        <translation>Pick on map</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="56"/>
        <source>地图模块未提供选点</source>
        <translation>The map module offers no picking</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="59"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="61"/>
        <source>位置 *</source>
        <translation>Position *</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="63"/>
        <source>问题类型 *</source>
        <translation>Problem type *</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="64"/>
        <source>问题描述 *</source>
        <translation>Description *</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="79"/>
        <source>还没有 GPS 定位：请先开始 GPS 定位，或在地图上选点</source>
        <translation>No GPS fix yet: start GPS positioning first, or pick on the map</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="107"/>
        <source>请选择位置：用 GPS 位置或地图选点</source>
        <translation>Choose a position: use GPS or pick on the map</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="109"/>
        <source>请填写问题类型</source>
        <translation>Enter the problem type</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="111"/>
        <source>请填写问题描述</source>
        <translation>Enter the description</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="116"/>
        <source>未选择</source>
        <translation>not chosen</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="119"/>
        <source>GPS</source>
        <translation>GPS</translation>
    </message>
    <message>
        <location filename="../../ui/cases/new_case_dialog.py" line="122"/>
        <source> ±{m:.0f} 米</source>
        <translation> ±{m:.0f} m</translation>
    </message>
</context>
<context>
    <name>WindowMap</name>
    <message>
        <location filename="../../ui/window_map.py" line="1"/>
        <source>在地图上点击选择位置（Esc 取消）</source>
        <translation>Click on the map to pick the position (Esc cancels)</translation>
    </message>
</context>
<context>
    <name>WindowLayout</name>
    <message>
        <location filename="../../ui/window_layout.py" line="1"/>
        <source>‹ 列表</source>
        <translation>‹ List</translation>
    </message>
    <message>
        <location filename="../../ui/window_layout.py" line="1"/>
        <source>列表</source>
        <translation>List</translation>
    </message>
    <message>
        <location filename="../../ui/window_layout.py" line="1"/>
        <source>地图</source>
        <translation>Map</translation>
    </message>
    <message>
        <location filename="../../ui/window_layout.py" line="1"/>
        <source>详情</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>FileMenu</name>
    <message>
        <location filename="../../ui/file_menu.py" line="1"/>
        <source>文件</source>
        <translation>File</translation>
    </message>
    <message>
        <location filename="../../ui/file_menu.py" line="1"/>
        <source>新建工作空间…</source>
        <translation>New workspace…</translation>
    </message>
    <message>
        <location filename="../../ui/file_menu.py" line="1"/>
        <source>打开工作空间…</source>
        <translation>Open workspace…</translation>
    </message>
    <message>
        <location filename="../../ui/file_menu.py" line="1"/>
        <source>打开示例工作空间</source>
        <translation>Open the demo workspace</translation>
    </message>
    <message>
        <location filename="../../ui/file_menu.py" line="1"/>
        <source>导入台账…</source>
        <translation>Import ledger…</translation>
    </message>
    <message>
        <location filename="../../ui/file_menu.py" line="1"/>
        <source>导入图层…</source>
        <translation>Import layers…</translation>
    </message>
    <message>
        <location filename="../../ui/file_menu.py" line="1"/>
        <source>批量导出表单…</source>
        <translation>Export forms in bulk…</translation>
    </message>
    <message>
        <location filename="../../ui/file_menu.py" line="1"/>
        <source>添加底图…</source>
        <translation>Add basemap…</translation>
    </message>
    <message>
        <location filename="../../ui/file_menu.py" line="1"/>
        <source>新建工作空间：选择一个空文件夹</source>
        <translation>New workspace: choose an empty folder</translation>
    </message>
    <message>
        <location filename="../../ui/file_menu.py" line="1"/>
        <source>无法新建工作空间</source>
        <translation>Cannot create the workspace</translation>
    </message>
    <message>
        <location filename="../../ui/file_menu.py" line="1"/>
        <source>无法打开示例工作空间</source>
        <translation>Cannot open the demo workspace</translation>
    </message>
</context>
<context>
    <name>DemoNotice</name>
    <message>
        <location filename="../../ui/banner.py" line="1"/>
        <source>示例数据：这是生成的示例工作空间，不是真实的执法记录。新建或打开自己的工作空间：文件 → 新建工作空间…</source>
        <translation>Sample data: this is a generated demo workspace, not real enforcement records. Create or open your own: File → New workspace…</translation>
    </message>
</context>
<context>
    <name>FirstSteps</name>
    <message>
        <location filename="../../ui/cases/first_steps.py" line="1"/>
        <source>这个工作空间还没有问题</source>
        <translation>This workspace has no cases yet</translation>
    </message>
    <message>
        <location filename="../../ui/cases/first_steps.py" line="1"/>
        <source>先导入问题台账（.xlsx / .csv），再导入生态保护红线、管控区域和自然保护地图层，问题就会出现在列表和地图上。想先看看效果，可以打开示例工作空间（示例数据）。</source>
        <translation>Import the problem ledger (.xlsx / .csv) first, then the red-line, control-area and nature-reserve layers: the cases then appear in the list and on the map. To try the app first, open the demo workspace (sample data).</translation>
    </message>
    <message>
        <location filename="../../ui/cases/first_steps.py" line="1"/>
        <source>导入台账…</source>
        <translation>Import ledger…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/first_steps.py" line="1"/>
        <source>导入图层…</source>
        <translation>Import layers…</translation>
    </message>
    <message>
        <location filename="../../ui/cases/first_steps.py" line="1"/>
        <source>打开示例</source>
        <translation>Open the demo</translation>
    </message>
</context>
<context>
    <name>FormEvidenceDialog</name>
    <message>
        <location filename="../../ui/cases/form_evidence_dialog.py" line="1"/>
        <source>选择表单照片 — {case}</source>
        <translation>Choose form photos — {case}</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_evidence_dialog.py" line="1"/>
        <source>当前为默认选择；保存后表单按你的选择打印。</source>
        <translation>This is the default; once saved, the form prints your choice.</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_evidence_dialog.py" line="1"/>
        <source>表单按已保存的选择打印。</source>
        <translation>The form prints the saved choice.</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_evidence_dialog.py" line="1"/>
        <source>单独显示的照片</source>
        <translation>Photos shown on their own</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_evidence_dialog.py" line="1"/>
        <source>表单上的现场照片</source>
        <translation>Site photos on the form</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_evidence_dialog.py" line="1"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_evidence_dialog.py" line="1"/>
        <source>恢复默认</source>
        <translation>Restore default</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_evidence_dialog.py" line="1"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_evidence_dialog.py" line="1"/>
        <source>整改前后配对（按顺序打印）</source>
        <translation>Before/after pairs (printed in this order)</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_evidence_dialog.py" line="1"/>
        <source>添加配对</source>
        <translation>Add pair</translation>
    </message>
    <message>
        <location filename="../../ui/cases/form_evidence_dialog.py" line="1"/>
        <source>移除配对</source>
        <translation>Remove pair</translation>
    </message>
</context>
<context>
    <name>CorrectionDialog</name>
    <message>
        <location filename="../../ui/cases/correction_dialogs.py" line="1"/>
        <source>作废</source>
        <translation>Void</translation>
    </message>
    <message>
        <location filename="../../ui/cases/correction_dialogs.py" line="1"/>
        <source>编辑</source>
        <translation>Edit</translation>
    </message>
    <message>
        <location filename="../../ui/cases/correction_dialogs.py" line="1"/>
        <source>阶段</source>
        <translation>Phase</translation>
    </message>
    <message>
        <location filename="../../ui/cases/correction_dialogs.py" line="1"/>
        <source>说明</source>
        <translation>Caption</translation>
    </message>
    <message>
        <location filename="../../ui/cases/correction_dialogs.py" line="1"/>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../ui/cases/correction_dialogs.py" line="1"/>
        <source>必填：为什么更正或作废（保留在历史中）</source>
        <translation>Required: why it is corrected or voided (kept in the history)</translation>
    </message>
</context>
<context>
    <name>PhotoPositionMap</name>
    <message>
        <location filename="../../ui/cases/photo_position_map.py" line="70"/>
        <source>无位置</source>
        <translation>No position</translation>
    </message>
    <message>
        <location filename="../../ui/cases/photo_position_map.py" line="116"/>
        <source>距问题点 {d} m</source>
        <translation>{d} m from the case</translation>
    </message>
</context>
<context>
    <name>PositionFeed</name>
    <message>
        <source>NMEA TCP 地址无效：{address}</source>
        <translation>Invalid NMEA TCP address: {address}</translation>
    </message>
</context>
<context>
    <name>NmeaTcpSource</name>
    <message>
        <source>NMEA TCP {address}：正在连接…</source>
        <translation>NMEA TCP {address}: connecting…</translation>
    </message>
    <message>
        <source>NMEA TCP {address}</source>
        <translation>NMEA TCP {address}</translation>
    </message>
    <message>
        <source>NMEA TCP {address}：连接断开，{s:.0f} 秒后重连</source>
        <translation>NMEA TCP {address}: disconnected, reconnecting in {s:.0f} s</translation>
    </message>
</context>
<context>
    <name>NmeaTcpDialog</name>
    <message>
        <source>NMEA TCP 数据源</source>
        <translation>NMEA TCP source</translation>
    </message>
    <message>
        <source>接收机或手机的地址，如 192.168.1.1</source>
        <translation>Address of the receiver or phone, e.g. 192.168.1.1</translation>
    </message>
    <message>
        <source>主机</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>端口</source>
        <translation>Port</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>NMEA TCP…</source>
        <translation>NMEA TCP…</translation>
    </message>
</context>
<context>
    <name>NavigationPanel</name>
    <message>
        <source>导航</source>
        <translation>Navigation</translation>
    </message>
    <message>
        <source>定位到我</source>
        <translation>Locate me</translation>
    </message>
    <message>
        <source>地图居中到当前位置并跟随；拖动地图即停止跟随</source>
        <translation>Centre the map on the current position and follow it; dragging the map stops following</translation>
    </message>
    <message>
        <source>未选择问题</source>
        <translation>No case selected</translation>
    </message>
    <message>
        <source>开始现场核查</source>
        <translation>Start on-site inspection</translation>
    </message>
    <message>
        <source>稍后</source>
        <translation>Later</translation>
    </message>
    <message>
        <source>{case}：等待定位</source>
        <translation>{case}: waiting for a position</translation>
    </message>
    <message>
        <source>{case}：{distance}，方位 {bearing:.0f}°（{point}）</source>
        <translation>{case}: {distance}, bearing {bearing:.0f}° ({point})</translation>
    </message>
    <message>
        <source>{km:.2f} 千米</source>
        <translation>{km:.2f} km</translation>
    </message>
    <message>
        <source>{m:.0f} 米</source>
        <translation>{m:.0f} m</translation>
    </message>
    <message>
        <source>附近没有管控区域</source>
        <translation>No zone nearby</translation>
    </message>
    <message>
        <source>位于 {zone}，距边界 {distance}</source>
        <translation>Inside {zone}, {distance} from its edge</translation>
    </message>
    <message>
        <source>区域外，距最近区域边界 {distance}</source>
        <translation>Outside zones, {distance} from the nearest zone edge</translation>
    </message>
    <message>
        <source>已到达 {case}（{distance}以内）</source>
        <translation>Arrived at {case} (within {distance})</translation>
    </message>
</context>
<context>
    <name>PatrolController</name>
    <message>
        <location filename="../../ui/patrols/patrol_controller.py" line="1"/>
        <source>巡查</source>
        <translation>Patrol</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/patrol_controller.py" line="1"/>
        <source>开始巡查…</source>
        <translation>Start patrol…</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/patrol_controller.py" line="1"/>
        <source>暂停巡查</source>
        <translation>Pause patrol</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/patrol_controller.py" line="1"/>
        <source>继续巡查</source>
        <translation>Resume patrol</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/patrol_controller.py" line="1"/>
        <source>结束巡查</source>
        <translation>End patrol</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/patrol_controller.py" line="1"/>
        <source>已恢复进行中的巡查「{purpose}」：应用上次未正常结束，已记录的轨迹都在，新的轨迹点从新的一段开始记录。</source>
        <translation>Resumed the patrol in progress “{purpose}”: the app did not close normally last time; every logged track point is kept and new points start a new segment.</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/patrol_controller.py" line="1"/>
        <source>巡查已结束：{km:.2f} 公里，{time}，{points} 个轨迹点</source>
        <translation>Patrol ended: {km:.2f} km, {time}, {points} track points</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/patrol_controller.py" line="1"/>
        <source>轨迹记录已停止：{error}</source>
        <translation>Track logging stopped: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/patrol_controller.py" line="1"/>
        <source>巡查中</source>
        <translation>Patrolling</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/patrol_controller.py" line="1"/>
        <source>巡查已暂停</source>
        <translation>Patrol paused</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/patrol_controller.py" line="1"/>
        <source>{state}：{km:.2f} 公里 · {time} · {points} 点</source>
        <translation>{state}: {km:.2f} km · {time} · {points} points</translation>
    </message>
</context>
<context>
    <name>StartPatrolDialog</name>
    <message>
        <location filename="../../ui/patrols/start_dialog.py" line="1"/>
        <source>开始巡查</source>
        <translation>Start patrol</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/start_dialog.py" line="1"/>
        <source>如：常态化巡查、线索核查沿线踏勘</source>
        <translation>e.g. routine patrol, survey along reported clues</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/start_dialog.py" line="1"/>
        <source>姓名，以顿号或逗号分隔</source>
        <translation>Names, separated by commas</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/start_dialog.py" line="1"/>
        <source>巡查目的</source>
        <translation>Purpose</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/start_dialog.py" line="1"/>
        <source>巡查人员</source>
        <translation>Team members</translation>
    </message>
    <message>
        <location filename="../../ui/patrols/start_dialog.py" line="1"/>
        <source>巡查区域</source>
        <translation>Area</translation>
    </message>
</context>
</TS>
