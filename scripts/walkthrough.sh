#!/usr/bin/env bash
# The README walk-through as a script: one case from open to closed against `npm start` on :3000.
# Needs curl and jq. Run it from the repository root: bash scripts/walkthrough.sh
set -euo pipefail
API=http://localhost:3000
CW=$(npm run -s token -- caseworker --office manila --sub ana)
SUP=$(npm run -s token -- supervisor --office manila --sub ben)
ADMIN=$(npm run -s token -- admin --sub root)
CONSUL=$(npm run -s token -- agency_officer --agency ph-consulate-bkk --sub chen)
NIA=$(npm run -s token -- agency_officer --agency immigration --sub dara)
j() { curl -sS -H 'Content-Type: application/json' "$@"; }

# 1. An admin registers the consulate (once).
j -X POST $API/v1/agencies -H "Authorization: Bearer $ADMIN" \
  -d '{"id":"ph-consulate-bkk","kind":"consulate","name":"Philippine Embassy Bangkok","country":"TH","city":"Bangkok"}'; echo

# 2. A caseworker opens the case: location confirmed, so it starts in extraction.
CASE=$(j -X POST $API/v1/cases -H "Authorization: Bearer $CW" -H "Idempotency-Key: walk-$(date +%s)" -d '{
  "person": {"fullName":"Maria Santos","dateOfBirth":"1996-04-12","sex":"female","nationality":"PH",
             "documents":[{"type":"passport","number":"P1234567A","issuingCountry":"PH"}]},
  "location": {"country":"MM","region":"Kayin","site":"KK Park","confirmed":true},
  "source": {"type":"family_report"}, "riskFlags": ["abused"], "consulateId":"ph-consulate-bkk"}' | jq -r .id)
act() { j -X POST $API/v1/cases/$CASE/actions -H "Authorization: Bearer $CW" -d "$1" | jq -c '{stage, version, allowedActions}'; }

# 2b. The family sends a photo of her passport: the date of birth was misread. The correction is
#     recorded field by field (from, to) on the timeline, which only her office reads.
act '{"type":"update_person","dateOfBirth":"1996-04-21","phone":"+63 917 555 0192","reason":"as in the passport the family sent"}'
j "$API/v1/cases/$CASE/timeline" -H "Authorization: Bearer $CW" | jq -c '.items[] | select(.type=="update_person") | .data'

# 3. Extraction: the rescue is recorded; the consulate receives its tasks.
act '{"type":"record_extraction","extractedAt":"2026-11-20T03:00:00Z","handedOverTo":"Tak immigration"}'

# 4. The consulate works its inbox: claim and complete each task.
for T in $(j "$API/v1/tasks?caseId=$CASE&status=open" -H "Authorization: Bearer $CONSUL" | jq -r '.items[] | .id + ":" + .type'); do
  ID=${T%%:*}; TYPE=${T#*:}
  case $TYPE in
    verify_nationality)    R='{"verified":true}' ;;
    issue_travel_document) R='{"documentType":"emergency_travel_document","number":"ETD-55120","validUntil":"2027-01-31"}' ;;
    arrange_shelter)       R='{"shelterName":"Mae Sot shelter","from":"2026-11-21"}' ;;
    arrange_medical_check) R='{"fitToTravel":true}' ;;
  esac
  j -X POST $API/v1/tasks/$ID/claim -H "Authorization: Bearer $CONSUL" > /dev/null
  j -X POST $API/v1/tasks/$ID/complete -H "Authorization: Bearer $CONSUL" -d "{\"result\":$R}" | jq -c '{type, status}'
done

# 5. Return: booked on a manifest, departed, arrived.
act '{"type":"book_return","departureAt":"2026-11-25T06:00:00Z","arrivalPort":"MNL","flightNumber":"PR731","manifestId":"M-17"}'
act '{"type":"record_departure","departedAt":"2026-11-25T06:10:00Z"}'
act '{"type":"record_arrival","arrivedAt":"2026-11-25T10:00:00Z","port":"MNL","receivedBy":"IACAT desk"}'

# 6. The immigration authority decides on an exit restriction.
TASK=$(j "$API/v1/tasks?caseId=$CASE&status=open" -H "Authorization: Bearer $NIA" | jq -r '.items[0].id')
j -X POST $API/v1/tasks/$TASK/claim -H "Authorization: Bearer $NIA" > /dev/null
j -X POST $API/v1/tasks/$TASK/complete -H "Authorization: Bearer $NIA" -d '{"result":{"decision":"not_restricted"}}' | jq -c '{type, status}'

# 6b. She settles in Cebu: Manila asks to transfer the case, a Cebu supervisor approves. The case moves
#     with its tasks, approvals and deadlines; Manila no longer sees it (404), Cebu works it from now on.
CEBU_CW=$(npm run -s token -- caseworker --office cebu --sub rosa)
CEBU_SUP=$(npm run -s token -- supervisor --office cebu --sub luis)
act '{"type":"transfer_office","office":"cebu","reason":"settled with her family in Cebu"}'
TRANSFER=$(j "$API/v1/approvals?status=pending" -H "Authorization: Bearer $CEBU_SUP" | jq -r --arg c $CASE '.items[] | select(.caseId==$c and .kind=="transfer") | .id')
j -X POST $API/v1/approvals/$TRANSFER/decision -H "Authorization: Bearer $CEBU_SUP" -d '{"decision":"approved"}' | jq -c '{kind, status, transfer}'
j $API/v1/cases/$CASE -H "Authorization: Bearer $CW" | jq -c '.error.code'
CW=$CEBU_CW; SUP=$CEBU_SUP

# 7. Employment assistance in Cebu, then the caseworker asks to close.
act '{"type":"record_placement","employer":"Manila Garments","position":"seamstress","startDate":"2026-12-01","abroad":false}'
act '{"type":"request_closure","reason":"reintegrated","comment":"employed, stable housing"}'

# 8. The Cebu supervisor approves; the case is closed.
APPROVAL=$(j "$API/v1/approvals?status=pending" -H "Authorization: Bearer $SUP" | jq -r --arg c $CASE '.items[] | select(.caseId==$c) | .id')
j -X POST $API/v1/approvals/$APPROVAL/decision -H "Authorization: Bearer $SUP" -d '{"decision":"approved"}' | jq -c '{status, decidedBy}'
j $API/v1/cases/$CASE -H "Authorization: Bearer $CW" | jq -c '{reference, status, stage, closure}'
j "$API/v1/cases/$CASE/timeline?limit=200" -H "Authorization: Bearer $CW" | jq -r '.items[] | "\(.seq) \(.stage) \(.type) by \(.actor.sub)"'
